import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ANALYZER_CONTRACT_VERSION, AnalyzerStatus } from '../../shared/analyzer-result';
import { EnvVar } from '../../shared/env';
import { DetailType, EVENT_SOURCE } from '../../shared/events';
import { AnalyzerBinding, IImageAnalyzer } from '../analyzers/image-analyzer';
import { lambdaStep } from '../analyzers/lambda-step';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { acknowledgeWildcardResource } from '../helpers/grants';
import { createHandlerFunction } from '../helpers/handler-function';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

/**
 * Properties of `AnalysisWorkflow`.
 */
export interface AnalysisWorkflowProps {
  /** Where studies are read from and results and reports are written to. */
  readonly resultsStore: ResultsStore;

  /** Where outcome, review and failure events go. */
  readonly notifier: ClinicianNotifier;

  /**
   * The analyzers run in parallel on every study; at least one, with unique
   * names. Their position is part of their construct ids: append new analyzers
   * rather than reordering, or their functions are replaced.
   */
  readonly analyzers: IImageAnalyzer[];

  /**
   * Key for the state machine's execution data, its log group and the step
   * functions' logs and environment.
   * @default - the results store's key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Studies whose findings all stay below this confidence (0..1) are released
   * without a clinician; the aggregate step applies it.
   * @default 0.8
   */
  readonly autoReleaseThreshold?: number;

  /**
   * Wait for a clinician's decision when the aggregate step says review is
   * required. When false every study is released automatically.
   * @default true
   */
  readonly reviewEnabled?: boolean;

  /**
   * How long to wait for a clinician's decision. When it expires the results
   * are persisted with `review.decision = 'TIMED_OUT'` (the report stays
   * preliminary) rather than being lost or failing the study.
   * @default Duration.hours(24)
   */
  readonly reviewTimeout?: Duration;

  /**
   * Upper bound of one execution.
   * @default - 2 hours, plus `reviewTimeout` when review is enabled
   */
  readonly executionTimeout?: Duration;

  /**
   * Settings for the step and analyzer functions; `logRetention` applies to
   * the state machine's log group too.
   * @default - the library defaults (see `PipelineFunctionOptions`)
   */
  readonly functionOptions?: PipelineFunctionOptions;
}

/** Result names of the workflow state (see `src/shared/workflow.ts`). */
const Path = {
  STUDY: '$.study',
  RESULTS: '$.results',
  AGGREGATE: '$.aggregate',
  REVIEW: '$.review',
  PERSISTED: '$.persisted',
  ERROR: '$.error',
} as const;

/** Error name of the terminal Fail state. */
export const STUDY_FAILED_ERROR = 'StudyFailed';

/** Decision recorded at `$.review` when the clinician did not answer in time. */
export const REVIEW_TIMED_OUT = 'TIMED_OUT';

/**
 * The Step Functions state machine run once per study version:
 *
 * Select images -> Run analyzers (parallel; a failing analyzer becomes a FAILED
 * result) -> Aggregate findings -> Needs review? -> (Review required: wait for a
 * clinician with a task token | Auto release) -> Persist results -> Notify
 * outcome -> Done. Any other error -> Mark failed -> Study failed.
 *
 * Standard workflow in JSONPath, encrypted with the pipeline key, logging to a
 * KMS-encrypted log group, traced with X-Ray.
 */
export class AnalysisWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.ILogGroup;
  public readonly selectImagesFunction: lambda.IFunction;
  public readonly aggregateFindingsFunction: lambda.IFunction;
  public readonly persistResultsFunction: lambda.IFunction;
  public readonly notifyOutcomeFunction: lambda.IFunction;
  public readonly markFailedFunction: lambda.IFunction;
  /** Names of the analyzers, in the order they were given. */
  public readonly analyzerNames: string[];

  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AnalysisWorkflowProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    const store = props.resultsStore;
    const notifier = props.notifier;
    this.encryptionKey = props.encryptionKey ?? store.encryptionKey;

    const step = (stepId: string, bundle: string, description: string, environment: { [key: string]: string }) => {
      const fn = createHandlerFunction(this, stepId, {
        bundle,
        description,
        encryptionKey: this.encryptionKey,
        environment,
        defaultReservedConcurrency: 5,
        options: props.functionOptions,
      });
      return fn;
    };

    const selectImages = step('SelectImagesFunction', 'workflow/select-images.lambda', 'Lists the de-identified images of a study version for the analyzers', {
      [EnvVar.TABLE_NAME]: store.table.tableName,
      [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName,
    });
    store.grantReadData(selectImages);
    store.grantUpdateData(selectImages);

    const aggregate = step('AggregateFindingsFunction', 'workflow/aggregate-findings.lambda', 'Combines analyzer results and decides whether a clinician must review', {
      [EnvVar.AUTO_RELEASE_THRESHOLD]: String(settings.autoReleaseThreshold),
    });

    const persist = step('PersistResultsFunction', 'workflow/persist-results.lambda', 'Records analyzer results and writes the FHIR and HTML reports', {
      [EnvVar.TABLE_NAME]: store.table.tableName,
      [EnvVar.REPORTS_BUCKET]: store.reportsBucket.bucketName,
    });
    store.grantReadData(persist);
    store.grantWriteData(persist);
    store.grantWriteReports(persist);

    const notifierEnv = {
      [EnvVar.EVENT_BUS_NAME]: notifier.eventBus.eventBusName,
      [EnvVar.TOPIC_ARN]: notifier.topic.topicArn,
    };
    const notify = step('NotifyOutcomeFunction', 'workflow/notify-outcome.lambda', 'Publishes the PHI-free outcome of a study to EventBridge and SNS', notifierEnv);
    notifier.grantPublish(notify);

    const markFailed = step('MarkFailedFunction', 'workflow/mark-failed.lambda', 'Marks a study FAILED and notifies', {
      [EnvVar.TABLE_NAME]: store.table.tableName,
      ...notifierEnv,
    });
    store.grantReadData(markFailed);
    store.grantWriteData(markFailed);
    notifier.grantPublish(markFailed);

    this.selectImagesFunction = selectImages;
    this.aggregateFindingsFunction = aggregate;
    this.persistResultsFunction = persist;
    this.notifyOutcomeFunction = notify;
    this.markFailedFunction = markFailed;

    // ---- Failure path: every main-chain step ends here on an unhandled error.
    const studyFailed = new sfn.Fail(this, 'StudyFailed', {
      stateName: 'Study failed',
      error: STUDY_FAILED_ERROR,
      cause: 'The study was marked FAILED; the execution history holds the error.',
    });
    const markFailedStep = lambdaStep(this, 'MarkFailed', {
      fn: markFailed,
      stateName: 'Mark failed',
      payload: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
        error: sfn.JsonPath.objectAt(Path.ERROR),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(studyFailed);
    const onError = <T extends sfn.TaskStateBase | sfn.Parallel>(state: T): T => {
      state.addCatch(markFailedStep, { errors: [sfn.Errors.ALL], resultPath: Path.ERROR });
      return state;
    };

    // ---- Main chain.
    const selectStep = onError(lambdaStep(this, 'SelectImages', {
      fn: selectImages,
      stateName: 'Select images',
      payload: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
      }),
      resultPath: Path.STUDY,
    }));

    const bindings = this.bindAnalyzers(props);
    this.analyzerNames = bindings.map((b) => b.analyzerName);
    const runAnalyzers = new sfn.Parallel(this, 'RunAnalyzers', {
      stateName: 'Run analyzers',
      resultPath: Path.RESULTS,
    });
    bindings.forEach((binding, index) => runAnalyzers.branch(this.tolerateFailure(binding, index)));
    onError(runAnalyzers);

    const aggregateStep = onError(lambdaStep(this, 'AggregateFindings', {
      fn: aggregate,
      stateName: 'Aggregate findings',
      payload: sfn.TaskInput.fromObject({
        results: sfn.JsonPath.listAt(Path.RESULTS),
        autoReleaseThreshold: settings.autoReleaseThreshold,
        studyRequiresReview: sfn.JsonPath.stringAt('$.study.requiresReview'),
      }),
      resultPath: Path.AGGREGATE,
    }));

    const persistStep = onError(lambdaStep(this, 'PersistResults', {
      fn: persist,
      stateName: 'Persist results',
      // No payload: the function receives the whole state (WorkflowStateWithResults).
      resultPath: Path.PERSISTED,
    }));
    const notifyStep = onError(lambdaStep(this, 'NotifyOutcome', {
      fn: notify,
      stateName: 'Notify outcome',
      payload: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
        aggregate: sfn.JsonPath.objectAt(Path.AGGREGATE),
        persisted: sfn.JsonPath.objectAt(Path.PERSISTED),
        detailType: DetailType.ANALYSIS_COMPLETED,
      }),
      resultPath: sfn.JsonPath.DISCARD,
    }));
    persistStep.next(notifyStep);
    notifyStep.next(new sfn.Succeed(this, 'Done', { stateName: 'Done' }));

    const afterAggregate: sfn.IChainable = settings.reviewEnabled
      ? new sfn.Choice(this, 'NeedsReview', { stateName: 'Needs review?' })
        .when(sfn.Condition.booleanEquals('$.aggregate.reviewRequired', true), this.reviewStep(notifier, settings.reviewTimeout, markFailedStep, persistStep))
        .otherwise(new sfn.Pass(this, 'AutoRelease', { stateName: 'Auto release' }).next(persistStep))
      : persistStep;

    const definition = selectStep.next(runAnalyzers).next(aggregateStep).next(afterAggregate);

    this.logGroup = createPhiProtectedLogGroup(this, 'StateMachineLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.functionOptions?.logRetention,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: settings.executionTimeout,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.encryptionKey),
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel.ALL,
        // Every transition is logged, but not the state data: it holds findings
        // and reviewer ids which, although pseudonymous, are health information.
        // The execution history (same key, IAM-guarded) keeps it for debugging.
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });
    this.acknowledgeRoleFindings();
  }

  /** cdk-nag findings on the execution role that aws-cdk-lib's own grants cause. */
  private acknowledgeRoleFindings(): void {
    const role = this.stateMachine.role;
    const v = Validations.of(role);
    for (const resource of invokedFunctionWildcards(role)) {
      acknowledgeWildcardResource(role, resource,
        "LambdaInvoke also grants the function's versions and aliases (<function ARN>:*); the wildcard reaches no other function.");
    }
    v.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (*LogDelivery*, *ResourcePolic*, DescribeLogGroups) use Resource "*": neither supports resource-level permissions.',
    });
    const inline =
      "The execution role's only inline policy is the DefaultPolicy aws-cdk-lib derives from the state machine's own tasks; it belongs to this role alone and lives and dies with the state machine.";
    v.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
    v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
  }

  /**
   * Let a clinician application answer review requests: `states:SendTaskSuccess`
   * with output `{ "decision": "APPROVED" | "REJECTED", "reviewer": "<pseudonymous id>" }`,
   * or `states:SendTaskFailure` to fail the study. Step Functions encrypts the
   * answer with the execution role's key access, so no KMS grant is needed.
   */
  public grantSendTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resourceArns: [this.stateMachine.stateMachineArn],
    });
  }

  private bindAnalyzers(props: AnalysisWorkflowProps): AnalyzerBinding[] {
    const bindings = props.analyzers.map((analyzer, index) =>
      analyzer.bind(this, {
        derivedImagesBucket: props.resultsStore.derivedImagesBucket,
        encryptionKey: this.encryptionKey,
        functionOptions: props.functionOptions,
        idPrefix: `Analyzer${index}`,
      }),
    );
    const seen = new Map<string, number>();
    bindings.forEach((binding, index) => {
      const first = seen.get(binding.analyzerName);
      if (first !== undefined) {
        throw new Error(
          `AnalysisWorkflow: analyzers ${first} and ${index} are both named '${binding.analyzerName}'; give each a unique 'name' option.`,
        );
      }
      seen.set(binding.analyzerName, index);
    });
    return bindings;
  }

  /** One Parallel branch: the analyzer, whose any error becomes a FAILED result. */
  private tolerateFailure(binding: AnalyzerBinding, index: number): sfn.IChainable {
    const failedResult = new sfn.Pass(this, `Analyzer${index}Failed`, {
      stateName: `${binding.analyzerName} failed`,
      result: sfn.Result.fromObject({
        schemaVersion: ANALYZER_CONTRACT_VERSION,
        analyzerName: binding.analyzerName,
        modelId: binding.modelId ?? 'unknown',
        modelVersion: binding.modelVersion ?? 'unknown',
        status: AnalyzerStatus.FAILED,
        findings: [],
        durationMs: 0,
        errorCode: 'ANALYZER_ERROR',
      }),
    });
    const catchProps: sfn.CatchProps = { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD };
    const single = singleCatchableState(binding.task);
    if (single) {
      single.addCatch(failedResult, catchProps);
      return binding.task;
    }
    // A multi-state analyzer: a one-branch Parallel gives the chain one catch.
    const wrapper = new sfn.Parallel(this, `Analyzer${index}Run`, {
      stateName: `Run ${binding.analyzerName}`,
      outputPath: '$[0]',
    });
    wrapper.branch(binding.task);
    wrapper.addCatch(failedResult, catchProps);
    return wrapper;
  }

  /**
   * Publish "Review Required" with a task token and wait for the clinician's
   * answer at `$.review`. A timeout persists the results anyway with decision
   * TIMED_OUT (the report stays preliminary); SendTaskFailure fails the study.
   */
  private reviewStep(notifier: ClinicianNotifier, timeout: Duration, onFailure: sfn.IChainable, persistStep: sfn.IChainable): sfn.IChainable {
    const review = new tasks.EventBridgePutEvents(this, 'ReviewRequired', {
      stateName: 'Review required',
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      entries: [{
        eventBus: notifier.eventBus,
        source: EVENT_SOURCE,
        detailType: DetailType.REVIEW_REQUIRED,
        detail: sfn.TaskInput.fromObject({
          studyKey: sfn.JsonPath.stringAt('$.studyKey'),
          version: sfn.JsonPath.numberAt('$.version'),
          taskToken: sfn.JsonPath.taskToken,
          findingCount: sfn.JsonPath.numberAt('$.aggregate.findingCount'),
        }),
      }],
      taskTimeout: sfn.Timeout.duration(timeout),
      resultPath: Path.REVIEW,
    });
    const timedOut = new sfn.Pass(this, 'ReviewTimedOut', {
      stateName: 'Review timed out',
      result: sfn.Result.fromObject({ decision: REVIEW_TIMED_OUT }),
      resultPath: Path.REVIEW,
    }).next(persistStep);
    review.addCatch(timedOut, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    review.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: Path.ERROR });
    return review.next(persistStep);
  }
}

interface WorkflowSettings {
  readonly autoReleaseThreshold: number;
  readonly reviewEnabled: boolean;
  readonly reviewTimeout: Duration;
  readonly executionTimeout: Duration;
}

/** All prop validation in one place, before any resource is created. */
function resolveSettings(props: AnalysisWorkflowProps): WorkflowSettings {
  if (!props.analyzers || props.analyzers.length === 0) {
    throw new Error("AnalysisWorkflow: 'analyzers' is empty; give at least one, e.g. [Analyzer.imageQuality()].");
  }
  const autoReleaseThreshold = props.autoReleaseThreshold ?? 0.8;
  if (!(autoReleaseThreshold >= 0 && autoReleaseThreshold <= 1)) {
    throw new Error(`AnalysisWorkflow: 'autoReleaseThreshold' must be between 0 and 1, got ${autoReleaseThreshold}.`);
  }
  const reviewEnabled = props.reviewEnabled ?? true;
  const reviewTimeout = props.reviewTimeout ?? Duration.hours(24);
  const executionTimeout = props.executionTimeout
    ?? (reviewEnabled ? Duration.hours(2).plus(reviewTimeout) : Duration.hours(2));
  if (!Token.isUnresolved(reviewTimeout) && reviewTimeout.toSeconds() < 1) {
    throw new Error('AnalysisWorkflow: \'reviewTimeout\' must be at least 1 second.');
  }
  if (reviewEnabled && props.executionTimeout && !Token.isUnresolved(executionTimeout) && !Token.isUnresolved(reviewTimeout)
    && executionTimeout.toSeconds() <= reviewTimeout.toSeconds()) {
    throw new Error(
      `AnalysisWorkflow: 'executionTimeout' (${executionTimeout.toHumanString()}) must exceed 'reviewTimeout' (${reviewTimeout.toHumanString()}), or a study waiting for review would time out instead of being persisted.`,
    );
  }
  return { autoReleaseThreshold, reviewEnabled, reviewTimeout, executionTimeout };
}

type Catchable = sfn.TaskStateBase | sfn.Parallel | sfn.Map | sfn.DistributedMap;

/** The chain's only state, when it is one that can carry a Catch. */
function singleCatchableState(chain: sfn.IChainable): Catchable | undefined {
  const start = chain.startState;
  const single = chain.endStates.length === 1 && (chain.endStates[0] as unknown) === start;
  if (!single) return undefined;
  if (start instanceof sfn.TaskStateBase || start instanceof sfn.Parallel || start instanceof sfn.Map || start instanceof sfn.DistributedMap) {
    return start;
  }
  return undefined;
}

interface StatementJson {
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
}

/** The `<function ARN>:*` resources LambdaInvoke put on the role (step and analyzer functions). */
function invokedFunctionWildcards(role: iam.IRole): string[] {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return [];
  const statements = (policy.document.toJSON() as { Statement?: StatementJson[] }).Statement ?? [];
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return statements
    .filter((st) => list(st.Action).includes('lambda:InvokeFunction'))
    .flatMap((st) => list(st.Resource))
    .filter((r) => r.endsWith(':*'));
}
