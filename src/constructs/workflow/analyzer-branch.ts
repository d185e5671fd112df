/**
 * One branch of "Run analyzers": plan the analyzer's batches, run them in an
 * inline Map (small selections) or a Distributed Map reading the batches from
 * S3 (large ones), then collect one result per study. Nothing in the branch's
 * state grows with the number of images: batch results go to S3 as they come.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { THROTTLING_RETRY, TIMEOUT_RETRY, worstCaseRetryDelay } from './batch-retries';
import { MapRunResultWriter, StudyBatchesReader } from './map-run-io';
import { ImageSelectionStrategy } from '../../shared/analysis-plan';
import { AnalyzerErrorCode } from '../../shared/analyzer-errors';
import { ANALYZER_CONTRACT_VERSION, AnalyzerStatus } from '../../shared/analyzer-result';
import { AnalyzerBinding } from '../analyzers/image-analyzer';
import { lambdaStep } from '../analyzers/lambda-step';

/** The workflow's own functions an analyzer branch uses. */
export interface AnalyzerBranchFunctions {
  readonly planAnalysis: lambda.IFunction;
  readonly recordBatch: lambda.IFunction;
  readonly collectAnalysis: lambda.IFunction;
}

export interface AnalyzerBranchProps {
  readonly binding: AnalyzerBinding;
  readonly index: number;
  readonly functions: AnalyzerBranchFunctions;
  /** Holds the manifest and batches (read by the Distributed Map) and its run results. */
  readonly derivedImagesBucket: s3.IBucket;
}

/** Where Distributed Map runs write their child results (kept apart from study objects). */
export const MAP_RUN_RESULTS_PREFIX = 'analysis-map-runs/';

/** An Express child workflow runs at most 5 minutes, retries included. */
const EXPRESS_CHILD_LIMIT = Duration.minutes(5);

const DEFAULTS = { batchSize: 1, maxConcurrency: 4, batchTimeout: Duration.minutes(2) };
/** Where a failed branch step's error lands (read by the failed outcome, then dropped with the branch state). */
const BRANCH_ERROR_PATH = '$.branchError';

export function analyzerBranch(scope: Construct, props: AnalyzerBranchProps): sfn.IChainable {
  const { binding, index, functions } = props;
  const name = binding.analyzerName;
  const id = `Analyzer${index}`;
  const model = { modelId: binding.modelId ?? 'unknown', modelVersion: binding.modelVersion ?? 'unknown' };
  const outcome = (status: AnalyzerStatus, extra: Record<string, unknown>) => ({
    analyzerName: name,
    ...model,
    status,
    findingCount: 0,
    durationMs: 0,
    imageCount: 0,
    failedImageCount: 0,
    ...extra,
  });

  // Any error of the branch's own steps (plan, maps, collect) leaves one FAILED outcome
  // naming the error (its name only: a message may quote input).
  const branchFailed = new sfn.Pass(scope, `${id}Failed`, {
    stateName: `${name} failed`,
    parameters: outcome(AnalyzerStatus.FAILED, { 'errorCode': AnalyzerErrorCode.ANALYZER_ERROR, 'errorName.$': `${BRANCH_ERROR_PATH}.Error` }),
  });
  const catchAll = <T extends sfn.TaskStateBase | sfn.Map | sfn.DistributedMap>(state: T): T => {
    state.addCatch(branchFailed, { errors: [sfn.Errors.ALL], resultPath: BRANCH_ERROR_PATH });
    return state;
  };

  const selection = binding.selection?._spec() ?? { strategy: ImageSelectionStrategy.ALL };
  const plan = catchAll(lambdaStep(scope, `${id}Plan`, {
    fn: functions.planAnalysis,
    stateName: `Plan ${name}`,
    payload: sfn.TaskInput.fromObject({
      analyzerName: name,
      study: sfn.JsonPath.objectAt('$.study'),
      selection,
      ...(binding.applicability === undefined ? {} : { applicability: binding.applicability }),
      batchSize: binding.batchSize ?? DEFAULTS.batchSize,
    }),
    resultPath: '$.plan',
  }));

  const skipped = new sfn.Pass(scope, `${id}Skipped`, {
    stateName: `${name} skipped`,
    parameters: outcome(AnalyzerStatus.SKIPPED, { 'skipReason.$': '$.plan.skipReason' }),
  });

  const collect = catchAll(lambdaStep(scope, `${id}Collect`, {
    fn: functions.collectAnalysis,
    stateName: `Collect ${name}`,
    payload: sfn.TaskInput.fromObject({
      analyzerName: name,
      ...model,
      study: sfn.JsonPath.objectAt('$.study'),
      plan: sfn.JsonPath.objectAt('$.plan'),
    }),
  }));

  const maxConcurrency = binding.maxConcurrency ?? DEFAULTS.maxConcurrency;
  // The iteration input: the invocation the analyzer sees, plus where to record the batch.
  const itemSelector = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: name,
    study: sfn.JsonPath.objectAt('$.study'),
    batch: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
    resultsPrefix: sfn.JsonPath.stringAt('$.plan.resultsPrefix'),
  };
  const inline = catchAll(new sfn.Map(scope, `${id}Batches`, {
    stateName: `${name} batches`,
    itemsPath: '$.plan.batches',
    itemSelector,
    maxConcurrency,
    resultPath: sfn.JsonPath.DISCARD,
  }));
  inline.itemProcessor(batchIteration(scope, `${id}Inline`, '', props));

  const distributed = catchAll(new sfn.DistributedMap(scope, `${id}LargeStudy`, {
    stateName: `${name} batches (large study)`,
    itemReader: new StudyBatchesReader(props.derivedImagesBucket, sfn.JsonPath.stringAt('$.plan.batchesObject.key')),
    itemSelector,
    maxConcurrency,
    // Every iteration catches its own errors; a lost child shows as a missing batch record.
    toleratedFailurePercentage: 100,
    mapExecutionType: expressChildrenSuffice(binding) ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
    resultWriterV2: new MapRunResultWriter(props.derivedImagesBucket, MAP_RUN_RESULTS_PREFIX),
    resultPath: sfn.JsonPath.DISCARD,
  }));
  distributed.itemProcessor(batchIteration(scope, `${id}Distributed`, ' (large study)', props));

  inline.next(collect);
  distributed.next(collect);
  const runBatches = new sfn.Choice(scope, `${id}Mode`, { stateName: `${name}: how many images?` })
    .when(sfn.Condition.stringEquals('$.plan.mode', 'DISTRIBUTED'), distributed)
    .otherwise(inline);
  const applies = new sfn.Choice(scope, `${id}Applies`, { stateName: `${name} applies?` })
    .when(sfn.Condition.booleanEquals('$.plan.applies', false), skipped)
    .otherwise(runBatches);
  return plan.next(applies);
}

/**
 * One batch: the analyzer's states (retried on throttling and timeouts), then
 * the batch's result recorded in S3, or its failure when the retries ran out.
 */
function batchIteration(scope: Construct, id: string, suffix: string, props: AnalyzerBranchProps): sfn.IChainable {
  const name = props.binding.analyzerName;
  const record = (recordId: string, stateName: string, fields: Record<string, unknown>) => lambdaStep(scope, recordId, {
    fn: props.functions.recordBatch,
    stateName,
    payload: sfn.TaskInput.fromObject({
      analyzerName: name,
      study: sfn.JsonPath.objectAt('$.study'),
      batch: sfn.JsonPath.objectAt('$.batch'),
      resultsPrefix: sfn.JsonPath.stringAt('$.resultsPrefix'),
      ...fields,
    }),
  });
  const recordResult = record(`${id}Record`, `Record ${name} batch${suffix}`, { result: sfn.JsonPath.objectAt('$.outcome.result') });
  const recordFailure = record(`${id}RecordFailure`, `Record ${name} failure${suffix}`, { failure: sfn.JsonPath.objectAt('$.failure') });

  // A one-branch Parallel gives any analyzer chain one retry policy and one catch,
  // and keeps the invocation beside its result.
  const analyze = new sfn.Parallel(scope, `${id}Analyze`, {
    stateName: `Analyze ${name} batch${suffix}`,
    resultPath: '$.outcome',
    resultSelector: { result: sfn.JsonPath.objectAt('$[0]') },
  });
  analyze.branch(props.binding.batchTask.createStates(scope, `${id}Task`, suffix));
  analyze.addRetry(THROTTLING_RETRY);
  analyze.addRetry(TIMEOUT_RETRY);
  analyze.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
  return analyze.next(recordResult);
}

/** Whether one batch, retries included, always fits an Express child's 5 minutes. */
function expressChildrenSuffice(binding: AnalyzerBinding): boolean {
  const timeout = binding.batchTimeout ?? DEFAULTS.batchTimeout;
  if (Token.isUnresolved(timeout)) return false;
  const attempts = 1 + (TIMEOUT_RETRY.maxAttempts ?? 0);
  return timeout.toSeconds() * attempts + worstCaseRetryDelay().toSeconds() < EXPRESS_CHILD_LIMIT.toSeconds();
}
