/**
 * The re-analysis definition: Select studies (item list in S3) -> Re-analyse
 * studies (Distributed Map, bounded concurrency; per study: Open version ->
 * Analyse new version, the analysis workflow run to completion -> Record study,
 * or on any error Record failure) -> Finish run (summary and event).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REANALYSIS_RUNS_PREFIX } from '../../core/reanalysis/layout';
import { lambdaStep } from '../analyzers/lambda-step';
import { MapRunResultWriter } from '../workflow/map-run-io';

export interface ReanalysisFunctions {
  readonly selectStudies: lambda.IFunction;
  readonly openVersion: lambda.IFunction;
  readonly recordStudy: lambda.IFunction;
  readonly finishRun: lambda.IFunction;
}

export interface ReanalysisStatesProps {
  readonly functions: ReanalysisFunctions;
  readonly analysisStateMachine: sfn.IStateMachine;
  readonly reportsBucket: s3.IBucket;
  readonly maxConcurrency: number;
}

/** Where map runs write their child results (beside the runs' own records). */
export const REANALYSIS_MAP_RUNS_PREFIX = `${REANALYSIS_RUNS_PREFIX}map-runs/`;

/** Reads a run's item list (a JSON array) under `reanalysis-runs/`. */
export class RunItemsReader extends sfn.S3JsonItemReader {
  private readonly reportsBucket: s3.IBucket;

  constructor(bucket: s3.IBucket, keyPath: string) {
    super({ bucket, key: keyPath });
    this.reportsBucket = bucket;
  }

  public providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.reportsBucket.arnForObjects(`${REANALYSIS_RUNS_PREFIX}*`)] })];
  }
}

export function buildReanalysisDefinition(scope: Construct, props: ReanalysisStatesProps): sfn.IChainable {
  const { functions } = props;
  const select = lambdaStep(scope, 'SelectStudies', {
    fn: functions.selectStudies,
    stateName: 'Select studies',
    payload: sfn.TaskInput.fromObject({ request: sfn.JsonPath.objectAt('$'), runId: sfn.JsonPath.stringAt('$$.Execution.Name') }),
    resultPath: '$.run',
  });

  // ---- One study: a failure of either step is the study's FAILED result, not the run's.
  const recordFailure = lambdaStep(scope, 'RecordFailure', {
    fn: functions.recordStudy,
    stateName: 'Record failure',
    payload: sfn.TaskInput.fromObject({
      runId: sfn.JsonPath.stringAt('$.runId'),
      study: sfn.JsonPath.objectAt('$.study'),
      failure: sfn.JsonPath.objectAt('$.failure'),
    }),
    resultPath: '$.result',
  });
  const open = lambdaStep(scope, 'OpenVersion', {
    fn: functions.openVersion,
    stateName: 'Open version',
    payload: sfn.TaskInput.fromObject({
      runId: sfn.JsonPath.stringAt('$.runId'),
      analyzers: sfn.JsonPath.listAt('$.analyzers'),
      study: sfn.JsonPath.objectAt('$.study'),
    }),
    resultPath: '$.opened',
  });
  const analyse = new tasks.StepFunctionsStartExecution(scope, 'AnalyseVersion', {
    stateName: 'Analyse new version',
    stateMachine: props.analysisStateMachine,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    // The name and input ingest and the sweeper use for this version: whichever starts it first, one execution runs.
    name: sfn.JsonPath.stringAt('$.opened.executionName'),
    input: sfn.TaskInput.fromObject({
      studyKey: sfn.JsonPath.stringAt('$.opened.studyKey'),
      version: sfn.JsonPath.numberAt('$.opened.version'),
    }),
    resultSelector: { persisted: sfn.JsonPath.objectAt('$.Output.persisted') },
    resultPath: '$.analysis',
  });
  const record = lambdaStep(scope, 'RecordStudy', {
    fn: functions.recordStudy,
    stateName: 'Record study',
    payload: sfn.TaskInput.fromObject({
      runId: sfn.JsonPath.stringAt('$.runId'),
      study: sfn.JsonPath.objectAt('$.study'),
      opened: sfn.JsonPath.objectAt('$.opened'),
      analysis: sfn.JsonPath.objectAt('$.analysis'),
    }),
    resultPath: '$.result',
  });
  // The child's output stays small (the map's results are written to S3 anyway).
  const done = new sfn.Pass(scope, 'StudyDone', {
    stateName: 'Study done',
    parameters: { 'studyKey.$': '$.result.studyKey', 'status.$': '$.result.status' },
  });
  for (const step of [open, analyse]) step.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
  recordFailure.next(done);

  const map = new sfn.DistributedMap(scope, 'StudiesMap', {
    stateName: 'Re-analyse studies',
    itemReader: new RunItemsReader(props.reportsBucket, sfn.JsonPath.stringAt('$.run.items.key')),
    itemSelector: {
      runId: sfn.JsonPath.stringAt('$.run.runId'),
      analyzers: sfn.JsonPath.listAt('$.run.analyzers'),
      study: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
    },
    maxConcurrency: props.maxConcurrency,
    // Each study catches its own errors; one that still fails shows as unaccounted in the summary.
    toleratedFailurePercentage: 100,
    mapExecutionType: sfn.StateMachineType.STANDARD,
    resultWriterV2: new MapRunResultWriter(props.reportsBucket, REANALYSIS_MAP_RUNS_PREFIX),
    resultPath: sfn.JsonPath.DISCARD,
  });
  map.itemProcessor(open.next(analyse).next(record).next(done));

  const finish = lambdaStep(scope, 'FinishRun', {
    fn: functions.finishRun,
    stateName: 'Finish run',
    payload: sfn.TaskInput.fromObject({
      runId: sfn.JsonPath.stringAt('$.run.runId'),
      analyzers: sfn.JsonPath.listAt('$.run.analyzers'),
      studyCount: sfn.JsonPath.numberAt('$.run.studyCount'),
    }),
    resultPath: '$.summary',
  });
  const anyStudies = new sfn.Choice(scope, 'AnyStudies', { stateName: 'Any studies?' })
    .when(sfn.Condition.numberEquals('$.run.studyCount', 0), finish)
    .otherwise(map.next(finish));
  return select.next(anyStudies);
}
