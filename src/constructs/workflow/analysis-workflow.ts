import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeExecutionRoleFindings } from './execution-role-acknowledgements';
import { watchExecutions } from './execution-watch';
import { RESULT_WRITER_V2_FLAG } from './map-run-io';
import { ReviewDeadlines } from './review-deadlines';
import { buildStateGraph } from './state-graph';
import { createWorkflowStepFunctions } from './step-functions';
import { resolveWorkflowSettings } from './workflow-settings';
import { FindingRule } from '../../shared/finding-rules';
import { AnalyzerBinding, IImageAnalyzer } from '../analyzers/image-analyzer';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { grantKeyViaService, KeyUse } from '../helpers/grants';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { encryptedStateMachineSettings } from '../helpers/state-machine-role';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

export { REVIEW_TIMED_OUT, STUDY_FAILED_ERROR } from './workflow-paths';
export * from './review-deadlines';

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
   * What happens to each finding, decided by the first of these rules that matches it.
   *
   * A rule matches on label, code + code system, analyzer and a confidence
   * range, and gives an action (release, hold for review, suppress) and a
   * priority; a finding no rule matches is held for review. A study is held
   * when any of its findings is held, any analyzer failed, no analyzer
   * succeeded or an image was flagged at ingest; its priority is the highest
   * among its reported findings. Not allowed with `autoReleaseThreshold`.
   * @default - the rules `autoReleaseThreshold` stands for
   */
  readonly findingRules?: FindingRule[];

  /**
   * Shorthand for two finding rules: findings with a confidence at or above
   * this (0..1) are released without a clinician; any finding below it holds
   * the study for review (a failed analyzer, or none succeeding, holds it too).
   * All at ROUTINE priority. Not allowed with `findingRules`.
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
   * How long a clinician has for a held study, by its priority. Past it a
   * preliminary report is issued, `Review Overdue` fires (event and SNS
   * message), and the study stays IN_REVIEW, marked overdue; a later decision
   * through the review API is still accepted and issues the next report revision.
   * @default - 24 hours for ROUTINE, 4 hours for URGENT, 1 hour for STAT
   */
  readonly reviewDeadlines?: ReviewDeadlines;

  /**
   * Upper bound of one execution.
   * @default - 2 hours, plus the longest review deadline when review is enabled
   */
  readonly executionTimeout?: Duration;

  /**
   * Settings for the step and analyzer functions; `logRetention` applies to
   * the state machine's log group too.
   * @default - the library defaults (see `PipelineFunctionOptions`)
   */
  readonly functionOptions?: PipelineFunctionOptions;
}

/**
 * The Step Functions state machine run once per study version (the graph is
 * built in `state-graph.ts`): Select images -> analyzers in parallel ->
 * Aggregate findings -> review or auto release -> Persist results -> Notify
 * outcome; any error -> Mark failed.
 *
 * Standard workflow in JSONPath, encrypted with the pipeline key, logging to a
 * KMS-encrypted log group, traced with X-Ray.
 */
export class AnalysisWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.ILogGroup;
  public readonly selectImagesFunction: lambda.IFunction;
  /** Decides, per analyzer and study, whether it applies and which images it sees, in batches. */
  public readonly planAnalysisFunction: lambda.IFunction;
  /** Validates and stores each batch's analyzer result. */
  public readonly recordBatchFunction: lambda.IFunction;
  /** Combines an analyzer's batch results into its study result. */
  public readonly collectAnalysisFunction: lambda.IFunction;
  public readonly aggregateFindingsFunction: lambda.IFunction;
  /** Stores a held study's review task token and announces the review. */
  public readonly requestReviewFunction: lambda.IFunction;
  public readonly persistResultsFunction: lambda.IFunction;
  public readonly notifyOutcomeFunction: lambda.IFunction;
  public readonly markFailedFunction: lambda.IFunction;
  /** Marks a study FAILED when its execution ended outside the failure path (invoked by `executionEndedRule`). */
  public readonly executionEndedFunction: lambda.IFunction;
  /** Rule on this state machine's FAILED, TIMED_OUT and ABORTED executions. */
  public readonly executionEndedRule: events.IRule;
  /** Names of the analyzers, in the order they were given. */
  public readonly analyzerNames: string[];

  constructor(scope: Construct, id: string, props: AnalysisWorkflowProps) {
    super(scope, id);
    this.node.setContext(RESULT_WRITER_V2_FLAG, true);
    const settings = resolveWorkflowSettings(props);
    const encryptionKey = props.encryptionKey ?? props.resultsStore.encryptionKey;

    const functions = createWorkflowStepFunctions(this, {
      resultsStore: props.resultsStore,
      notifier: props.notifier,
      encryptionKey,
      functionOptions: props.functionOptions,
    });
    this.selectImagesFunction = functions.selectImages;
    this.planAnalysisFunction = functions.planAnalysis;
    this.recordBatchFunction = functions.recordBatch;
    this.collectAnalysisFunction = functions.collectAnalysis;
    this.aggregateFindingsFunction = functions.aggregateFindings;
    this.requestReviewFunction = functions.requestReview;
    this.persistResultsFunction = functions.persistResults;
    this.notifyOutcomeFunction = functions.notifyOutcome;
    this.markFailedFunction = functions.markFailed;

    const analyzers = this.bindAnalyzers(props, encryptionKey);
    this.analyzerNames = analyzers.map((b) => b.analyzerName);
    const definition = buildStateGraph(this, {
      functions,
      analyzers,
      notifier: props.notifier,
      settings,
      derivedImagesBucket: props.resultsStore.derivedImagesBucket,
    });

    this.logGroup = createPhiProtectedLogGroup(this, 'StateMachineLogs', {
      encryptionKey,
      retention: props.functionOptions?.logRetention,
      additionalDataIdentifiers: props.functionOptions?.additionalLogDataIdentifiers,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: settings.executionTimeout,
      // Named, with a role and key view whose KMS conditions can match (see the helper).
      ...encryptedStateMachineSettings(this, encryptionKey),
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
    // Distributed Maps read the batches and write their run results in the derived-images bucket.
    grantKeyViaService(this.stateMachine, props.resultsStore.derivedImagesBucket.encryptionKey, 's3', KeyUse.ENCRYPT_DECRYPT);
    acknowledgeExecutionRoleFindings(this.stateMachine, props.resultsStore.derivedImagesBucket);

    const watch = watchExecutions(this, {
      stateMachine: this.stateMachine,
      resultsStore: props.resultsStore,
      notifier: props.notifier,
      encryptionKey,
      functionOptions: props.functionOptions,
    });
    this.executionEndedFunction = watch.fn;
    this.executionEndedRule = watch.rule;
  }

  /**
   * Lets the review API's own function resume a held execution (SendTaskSuccess
   * with the token it read from the table). Not public: whoever holds this
   * permission and a token could make a report final. @internal
   */
  public _grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resourceArns: [this.stateMachine.stateMachineArn],
    });
  }

  /** Binds every analyzer (its states and grants); names must be unique. */
  private bindAnalyzers(props: AnalysisWorkflowProps, encryptionKey: kms.IKey): AnalyzerBinding[] {
    const bindings = props.analyzers.map((analyzer, index) =>
      analyzer.bind(this, {
        derivedImagesBucket: props.resultsStore.derivedImagesBucket,
        encryptionKey,
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
}
