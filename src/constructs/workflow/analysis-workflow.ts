import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeExecutionRoleFindings } from './execution-role-acknowledgements';
import { buildStateGraph } from './state-graph';
import { createWorkflowStepFunctions } from './step-functions';
import { resolveWorkflowSettings } from './workflow-settings';
import { AnalyzerBinding, IImageAnalyzer } from '../analyzers/image-analyzer';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

export { REVIEW_TIMED_OUT, STUDY_FAILED_ERROR } from './workflow-paths';

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
  public readonly aggregateFindingsFunction: lambda.IFunction;
  public readonly persistResultsFunction: lambda.IFunction;
  public readonly notifyOutcomeFunction: lambda.IFunction;
  public readonly markFailedFunction: lambda.IFunction;
  /** Names of the analyzers, in the order they were given. */
  public readonly analyzerNames: string[];

  constructor(scope: Construct, id: string, props: AnalysisWorkflowProps) {
    super(scope, id);
    const settings = resolveWorkflowSettings(props);
    const encryptionKey = props.encryptionKey ?? props.resultsStore.encryptionKey;

    const functions = createWorkflowStepFunctions(this, {
      resultsStore: props.resultsStore,
      notifier: props.notifier,
      encryptionKey,
      autoReleaseThreshold: settings.autoReleaseThreshold,
      functionOptions: props.functionOptions,
    });
    this.selectImagesFunction = functions.selectImages;
    this.aggregateFindingsFunction = functions.aggregateFindings;
    this.persistResultsFunction = functions.persistResults;
    this.notifyOutcomeFunction = functions.notifyOutcome;
    this.markFailedFunction = functions.markFailed;

    const analyzers = this.bindAnalyzers(props, encryptionKey);
    this.analyzerNames = analyzers.map((b) => b.analyzerName);
    const definition = buildStateGraph(this, { functions, analyzers, notifier: props.notifier, settings });

    this.logGroup = createPhiProtectedLogGroup(this, 'StateMachineLogs', {
      encryptionKey,
      retention: props.functionOptions?.logRetention,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: settings.executionTimeout,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(encryptionKey),
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
    acknowledgeExecutionRoleFindings(this.stateMachine.role);
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
