import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildReanalysisDefinition, REANALYSIS_MAP_RUNS_PREFIX } from './reanalysis-states';
import { REANALYSIS_RUNS_PREFIX } from '../../core/reanalysis/layout';
import { EnvVar } from '../../shared/env';
import { DetailType } from '../../shared/events';
import { FunctionInvocation } from '../helpers/function-acknowledgements';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { acknowledgeWildcardResource, grantKeyViaService, grantObjectPrefix, KeyUse } from '../helpers/grants';
import { createHandlerFunction } from '../helpers/handler-function';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { routeRuleToFunction } from '../helpers/rule-to-function';
import { encryptedStateMachineSettings } from '../helpers/state-machine-role';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';
import { AnalysisWorkflow } from '../workflow/analysis-workflow';
import { acknowledgeStateMachineRoleBaseline } from '../workflow/execution-role-acknowledgements';
import { RESULT_WRITER_V2_FLAG } from '../workflow/map-run-io';

/**
 * Options of the re-analysis of past studies (`MedicalImagingPipelineProps.reanalysis`).
 */
export interface ReanalysisOptions {
  /**
   * Studies re-analysed at the same time (the Distributed Map's MaxConcurrency):
   * each runs a whole analysis execution, so this bounds the load a run puts on
   * the analyzers (model endpoints, service quotas) beside new studies.
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * Upper bound of one run. A study held for review waits for its clinician
   * inside the run.
   * @default Duration.days(7)
   */
  readonly runTimeout?: Duration;
}

/**
 * Properties of `StudyReanalysis`.
 */
export interface StudyReanalysisProps extends ReanalysisOptions {
  /** The workflow whose analyzers run again; each study's new version is one of its executions. */
  readonly workflow: AnalysisWorkflow;
  /** Where studies are read from and the runs' records are written to. */
  readonly resultsStore: ResultsStore;
  /** Its bus carries the `Analysis Requested` study form in and `Reanalysis Completed` out. */
  readonly notifier: ClinicianNotifier;
  /**
   * Key for the state machine's execution data, its logs and the functions'
   * environment; also the key of the workflow's execution data (which the runs start and read).
   * @default - the results store's key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Settings of the functions; `logRetention` applies to the state machine's log group too.
   * @default - the library defaults (see `PipelineFunctionOptions`)
   */
  readonly functionOptions?: PipelineFunctionOptions;
}

const DEFAULT_MAX_CONCURRENCY = 10;
/** Step Functions runs at most 10,000 child executions of a Distributed Map at once. */
const MAX_CONCURRENCY_LIMIT = 10_000;

/**
 * Re-runs a chosen set of the workflow's analyzers over past studies, each
 * study getting a new version with amended reports and a summary of what
 * changed from the previous version.
 *
 * Start an execution of `stateMachine` with, for example,
 * `{"analyzers": ["image-quality"], "receivedFrom": "2025-01-01", "modalities": ["CR", "DX"]}`
 * (or `"studyKeys": [...]`); without `analyzers` every analyzer runs again.
 * `Select studies` writes the selection to S3; a Distributed Map (at most
 * `maxConcurrency` studies at a time) opens each study's next version and runs
 * the analysis workflow on it to the end (the analyzers not asked for carry
 * over their previous results), then stores the change summary beside the
 * new report. A study deleted meanwhile, or busy, is one FAILED result with a
 * reason; `Finish run` writes the run's summary and publishes `Reanalysis
 * Completed`. An `Analysis Requested` event naming a `studyKey` starts a run
 * for that one study.
 */
export class StudyReanalysis extends Construct {
  /** One execution per run; its name is the run id. */
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.ILogGroup;
  public readonly selectStudiesFunction: lambda.IFunction;
  public readonly openVersionFunction: lambda.IFunction;
  public readonly recordStudyFunction: lambda.IFunction;
  public readonly finishRunFunction: lambda.IFunction;
  /** Starts a run for an `Analysis Requested` event of the study form. */
  public readonly requestFunction: lambda.IFunction;
  /** `Analysis Requested` events naming a `studyKey`, on the notifier's bus. */
  public readonly requestRule: events.IRule;
  /** Requests the rule could not deliver to `requestFunction`. */
  public readonly requestDeadLetterQueue: sqs.IQueue;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StudyReanalysisProps) {
    super(scope, id);
    this.node.setContext(RESULT_WRITER_V2_FLAG, true);
    const maxConcurrency = props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Token.isUnresolved(maxConcurrency) && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY_LIMIT)) {
      throw new Error(`StudyReanalysis: maxConcurrency must be an integer from 1 to ${MAX_CONCURRENCY_LIMIT}, got ${maxConcurrency}.`);
    }
    const key = props.encryptionKey ?? props.resultsStore.encryptionKey;
    this.encryptionKey = key;
    const store = props.resultsStore;
    const fn = (fnId: string, bundle: string, description: string, environment: { [name: string]: string }, invocation?: FunctionInvocation) =>
      createHandlerFunction(this, fnId, {
        bundle,
        description,
        encryptionKey: key,
        environment,
        timeout: Duration.minutes(5),
        invocation,
        defaultReservedConcurrency: 2,
        options: props.functionOptions,
      });
    const table = { [EnvVar.TABLE_NAME]: store.table.tableName };
    const reports = { [EnvVar.REPORTS_BUCKET]: store.reportsBucket.bucketName };
    const derived = { [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName };
    const select = fn('SelectStudiesFunction', 'reanalysis/select-studies.lambda', 'Selects the past studies of a re-analysis run', {
      ...table,
      ...reports,
      [EnvVar.ANALYZER_NAMES]: JSON.stringify(props.workflow.analyzerNames),
    });
    const open = fn('OpenVersionFunction', 'reanalysis/open-version.lambda', 'Opens the next version of a past study for its re-analysis', {
      ...table,
      ...derived,
    });
    const record = fn('RecordStudyFunction', 'reanalysis/record-study.lambda', "Records a re-analysed study's result and change summary", {
      ...table,
      ...derived,
      ...reports,
    });
    const finish = fn('FinishRunFunction', 'reanalysis/finish-run.lambda', 'Summarizes a re-analysis run and announces it', {
      ...reports,
      [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
    });
    this.selectStudiesFunction = select;
    this.openVersionFunction = open;
    this.recordStudyFunction = record;
    this.finishRunFunction = finish;

    // ---- Grants: each function its own prefixes and actions.
    const runObjects = (grantee: lambda.Function, actions: string[], why: string) => {
      grantKeyViaService(grantee, store.reportsBucket.encryptionKey, 's3', KeyUse.ENCRYPT_DECRYPT);
      grantObjectPrefix(grantee, store.reportsBucket.bucketArn, REANALYSIS_RUNS_PREFIX, actions, why);
    };
    store.grantReadData(select);
    runObjects(select, ['s3:PutObject'], "the function writes the run's selected studies.");
    store.grantReadData(open);
    store.grantUpdateData(open);
    // GetObject also answers HeadObject: the check that a study's images are still stored.
    store.grantReadDerivedImages(open);
    store.grantReadDerivedImages(record);
    // A retried study whose execution already ran: its META says whether the version finished.
    store.grantReadData(record);
    store.grantReadReports(record);
    store.grantWriteReports(record);
    runObjects(record, ['s3:PutObject'], "the function writes each study's result of the run.");
    runObjects(finish, ['s3:GetObject', 's3:PutObject'], "the function reads the run's study results and writes its summary.");
    iam.Grant.addToPrincipal({
      grantee: finish,
      actions: ['s3:ListBucket'],
      resourceArns: [store.reportsBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${REANALYSIS_RUNS_PREFIX}*`] } },
    });
    props.notifier.grantPutEvents(finish);

    // ---- State machine
    this.logGroup = createPhiProtectedLogGroup(this, 'StateMachineLogs', {
      encryptionKey: key,
      retention: props.functionOptions?.logRetention,
      additionalDataIdentifiers: props.functionOptions?.additionalLogDataIdentifiers,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(buildReanalysisDefinition(this, {
        functions: { selectStudies: select, openVersion: open, recordStudy: record, finishRun: finish },
        analysisStateMachine: props.workflow.stateMachine,
        reportsBucket: store.reportsBucket,
        maxConcurrency,
      })),
      timeout: props.runTimeout ?? Duration.days(7),
      ...encryptedStateMachineSettings(this, key),
      // Transitions are logged, not the state data (study keys and findings counts, still health information).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The map reads the item list and writes its run results through S3; the analysis executions' data is under the workflow's key.
    grantKeyViaService(this.stateMachine, store.reportsBucket.encryptionKey, 's3', KeyUse.ENCRYPT_DECRYPT);
    grantStateMachineData(this.stateMachine, props.workflow.stateMachine, key);
    this.acknowledgeExecutionRole(props);

    // ---- `Analysis Requested` of the study form -> a run for that study.
    const request = this.createRequestStarter(props, key);
    this.requestFunction = request.fn;
    this.requestRule = request.rule;
    this.requestDeadLetterQueue = request.deadLetterQueue;
  }

  /**
   * Lets `grantee` start runs: states:StartExecution on this state machine, and
   * the key for its execution data (for this state machine's executions only).
   */
  public grantStartRun(grantee: iam.IGrantable): iam.Grant {
    grantStateMachineData(grantee, this.stateMachine, this.encryptionKey);
    return this.stateMachine.grantStartExecution(grantee);
  }

  private createRequestStarter(props: StudyReanalysisProps, key: kms.IKey) {
    const fn = createHandlerFunction(this, 'RequestFunction', {
      bundle: 'reanalysis/start-request.lambda',
      description: 'Starts a re-analysis run for an Analysis Requested event naming a study',
      encryptionKey: key,
      environment: { [EnvVar.STATE_MACHINE_ARN]: this.stateMachine.stateMachineArn },
      defaultReservedConcurrency: 2,
      invocation: FunctionInvocation.EVENT_RULE,
      options: props.functionOptions,
    });
    this.grantStartRun(fn);
    const { rule, deadLetterQueue } = routeRuleToFunction(this, 'Request', {
      fn,
      encryptionKey: key,
      events: 'the requests',
      rule: {
        description: 'Routes Analysis Requested events naming a stored study (the study form) to the re-analysis',
        eventBus: props.notifier.eventBus,
        eventPattern: { detailType: [DetailType.ANALYSIS_REQUESTED], detail: { studyKey: [{ exists: true }] } },
      },
    });
    return { fn, rule, deadLetterQueue };
  }

  /** cdk-nag findings on the execution role that aws-cdk-lib's own grants and the map's prefixes cause. */
  private acknowledgeExecutionRole(props: StudyReanalysisProps): void {
    const role = this.stateMachine.role;
    const reports = props.resultsStore.reportsBucket;
    acknowledgeWildcardResource(role, reports.arnForObjects(`${REANALYSIS_RUNS_PREFIX}*`),
      "The Distributed Map reads a run's item list at a key chosen at run time (reanalysis-runs/<run id>/studies.json) in the reports bucket.");
    acknowledgeWildcardResource(role, reports.arnForObjects(`${REANALYSIS_MAP_RUNS_PREFIX}*`),
      `Map runs write their child results under ${REANALYSIS_MAP_RUNS_PREFIX} (object names are chosen by Step Functions per map run).`);
    const workflow = props.workflow.stateMachine;
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${Stack.of(this).splitArn(workflow.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}*`,
    });
    acknowledgeWildcardResource(role, executions,
      "Running an analysis execution to its end (startExecution.sync:2) describes and stops that execution; its name is per study version, so aws-cdk-lib grants the analysis state machine's executions only.");
    acknowledgeStateMachineRoleBaseline(this.stateMachine);
  }
}

/**
 * kms:GenerateDataKey and kms:Decrypt on the key of `stateMachine`'s execution
 * data, for its executions only (the encryption context names the state machine):
 * what starting one and reading its output need.
 */
function grantStateMachineData(grantee: iam.IGrantable, stateMachine: sfn.IStateMachine, key: kms.IKey): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachine.stateMachineArn } },
  });
}
