import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as healthimaging from 'aws-cdk-lib/aws-healthimaging';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildImportDefinition } from './health-imaging-states';
import { EnvVar } from '../../shared/env';
import { HEALTH_IMAGING_INPUT_PREFIX, HEALTH_IMAGING_OUTPUT_PREFIX } from '../../shared/records';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { grantKeyViaService, grantObjectPrefix, KeyUse, nagResourceString } from '../helpers/grants';
import { createHandlerFunction } from '../helpers/handler-function';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { createSecureBucket } from '../helpers/secure-bucket';
import { encryptedStateMachineSettings } from '../helpers/state-machine-role';
import { assertNotBoth } from '../helpers/validate-props';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';
import { acknowledgeStateMachineRoleBaseline } from '../workflow/execution-role-acknowledgements';

/**
 * Options of the AWS HealthImaging import: once a study is ready, its
 * de-identified DICOM is imported into a HealthImaging data store and the
 * image set ids are recorded on the study.
 */
export interface HealthImagingOptions {
  /**
   * Import into this existing data store, given by its ARN
   * (`arn:<partition>:medical-imaging:<region>:<account>:datastore/<id>`), in the
   * stack's account and region. Not allowed with `datastoreName`.
   * @default - a new data store encrypted with the pipeline key
   */
  readonly existingDatastoreArn?: string;

  /**
   * Name of the data store this construct creates. Not allowed with `existingDatastoreArn`.
   * @default - a name chosen by CloudFormation
   */
  readonly datastoreName?: string;

  /**
   * How long to wait between two status checks of an import job.
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;

  /**
   * How long an import job may run before the import is recorded FAILED with
   * reason `TIMED_OUT` (the job itself is left to HealthImaging).
   * @default Duration.hours(2)
   */
  readonly importTimeout?: Duration;

  /**
   * How long the staged copies of a study's DICOM stay in the staging bucket.
   *
   * Whole days, longer than `importTimeout`. The job output (manifest and
   * SUCCESS/FAILURE files) is kept.
   * @default Duration.days(7)
   */
  readonly stagingRetention?: Duration;
}

/**
 * Properties of `HealthImagingImport`.
 */
export interface HealthImagingImportProps extends HealthImagingOptions {
  /** Where the study's instances and DICOM are read from and the import is recorded. */
  readonly resultsStore: ResultsStore;

  /** Receives `HealthImaging Import Completed` / `HealthImaging Import Failed` events. */
  readonly notifier: ClinicianNotifier;

  /**
   * Key for the data store, the staging bucket, the state machine, the logs and the functions' environment.
   * @default - the results store's key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Runtime, architecture, concurrency, logs and VPC of the functions.
   * @default - see PipelineFunctionOptions
   */
  readonly functionOptions?: PipelineFunctionOptions;
}

const STAGE_TIMEOUT = Duration.minutes(5);
const MAX_STAGING_ROUNDS = 12;
const DATASTORE_ARN = /^arn:[a-z-]+:medical-imaging:[a-z0-9-]+:\d{12}:datastore\/[0-9a-z]{32}$/;
const MEDICAL_IMAGING = 'medical-imaging.amazonaws.com';

/**
 * Imports each ready study version's de-identified DICOM into AWS HealthImaging.
 *
 * A state machine of its own, so the analysis never waits for it: Stage DICOM
 * (copies the version's `instance.dcm` files into its own prefix of a staging
 * bucket) -> Start import (StartDICOMImportJob, client token per study
 * version) -> Wait / Check import (GetDICOMImportJob, bounded) -> Record result
 * (image set ids from the job output on the study META, `HealthImaging Import
 * Completed`) or, on any failure, Record failure (status FAILED with a reason
 * code, `HealthImaging Import Failed`). HealthImaging reads only the staging
 * prefix and writes only the output prefix, through a role it can assume for
 * this data store only; the functions may call the two import APIs on this
 * data store only.
 */
export class HealthImagingImport extends Construct {
  /** The data store created here (undefined when `existingDatastoreArn` was given). */
  public readonly datastore?: healthimaging.CfnDatastore;
  /** ARN of the data store imports go to. */
  public readonly datastoreArn: string;
  /** Id of the data store imports go to. */
  public readonly datastoreId: string;
  /** Staged DICOM (`input/`) and import job output (`output/`). */
  public readonly stagingBucket: s3.IBucket;
  /** The role HealthImaging assumes for import jobs into this data store. */
  public readonly dataAccessRole: iam.IRole;
  /** One execution per study version, named `import-<studyKey>-v<version>`. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group (KMS, no execution data). */
  public readonly logGroup: logs.ILogGroup;
  /** Copies a study version's de-identified DICOM to its staging prefix. */
  public readonly stageFunction: lambda.IFunction;
  /** Calls StartDICOMImportJob (the only function that may, and that may pass the data-access role). */
  public readonly startFunction: lambda.IFunction;
  /** Calls GetDICOMImportJob. */
  public readonly checkFunction: lambda.IFunction;
  /** Records the outcome on the study and publishes its event. */
  public readonly recordFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: HealthImagingImportProps) {
    super(scope, id);
    assertNotBoth('HealthImagingImport', ['existingDatastoreArn', props.existingDatastoreArn], ['datastoreName', props.datastoreName]);
    const pollInterval = props.pollInterval ?? Duration.minutes(1);
    const importTimeout = props.importTimeout ?? Duration.hours(2);
    const stagingRetention = props.stagingRetention ?? Duration.days(7);
    validateDurations(pollInterval, importTimeout, stagingRetention);
    const key = props.encryptionKey ?? props.resultsStore.encryptionKey;
    const store = props.resultsStore;

    // ---- Data store
    if (props.existingDatastoreArn !== undefined) {
      if (!Token.isUnresolved(props.existingDatastoreArn) && !DATASTORE_ARN.test(props.existingDatastoreArn)) {
        throw new Error(`HealthImagingImport: existingDatastoreArn '${props.existingDatastoreArn}' is not a HealthImaging data store ARN.`);
      }
      this.datastoreArn = props.existingDatastoreArn;
      this.datastoreId = Arn.split(props.existingDatastoreArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    } else {
      this.datastore = new healthimaging.CfnDatastore(this, 'Datastore', { datastoreName: props.datastoreName, kmsKeyArn: key.keyArn });
      // The data store holds the imported images: it outlives the stack, like the buckets and the table.
      this.datastore.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.datastoreArn = this.datastore.attrDatastoreArn;
      this.datastoreId = this.datastore.attrDatastoreId;
    }

    // ---- Staging bucket: staged copies expire, the job output (the import's record) stays.
    this.stagingBucket = createSecureBucket(this, 'StagingBucket', {
      encryptionKey: key,
      overrides: {
        lifecycleRules: [{
          id: 'expire-staged-dicom',
          prefix: HEALTH_IMAGING_INPUT_PREFIX,
          expiration: stagingRetention,
          noncurrentVersionExpiration: Duration.days(1),
        }],
      },
    });
    this.dataAccessRole = this.createDataAccessRole(key);

    // ---- Functions
    const fn = (fnId: string, bundle: string, description: string, environment: { [name: string]: string }, timeout?: Duration) =>
      createHandlerFunction(this, fnId, {
        bundle,
        description,
        encryptionKey: key,
        environment,
        timeout,
        defaultReservedConcurrency: 2,
        options: props.functionOptions,
      });
    const tableEnv = { [EnvVar.TABLE_NAME]: store.table.tableName };
    const stagingEnv = { [EnvVar.HEALTH_IMAGING_BUCKET]: this.stagingBucket.bucketName };
    const targetEnv = {
      [EnvVar.HEALTH_IMAGING_DATASTORE_ID]: this.datastoreId,
      [EnvVar.HEALTH_IMAGING_ROLE_ARN]: this.dataAccessRole.roleArn,
    };
    const stage = fn('StageFunction', 'health-imaging/stage-dicom.lambda', "Copies a ready study version's de-identified DICOM to its HealthImaging staging prefix", {
      ...tableEnv,
      ...stagingEnv,
      [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName,
    }, STAGE_TIMEOUT);
    const start = fn('StartFunction', 'health-imaging/start-import.lambda', 'Starts the HealthImaging import job of a staged study version', {
      ...tableEnv,
      ...stagingEnv,
      ...targetEnv,
    });
    const check = fn('CheckFunction', 'health-imaging/check-import.lambda', 'Checks the status of a HealthImaging import job', targetEnv);
    const record = fn('RecordFunction', 'health-imaging/record-import.lambda', 'Records the outcome of a HealthImaging import on the study and announces it', {
      ...tableEnv,
      ...stagingEnv,
      [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
    });
    this.stageFunction = stage;
    this.startFunction = start;
    this.checkFunction = check;
    this.recordFunction = record;
    this.grantFunctions(props, key);

    // ---- State machine
    this.logGroup = createPhiProtectedLogGroup(this, 'StateMachineLogs', { encryptionKey: key, retention: props.functionOptions?.logRetention, additionalDataIdentifiers: props.functionOptions?.additionalLogDataIdentifiers });
    const maxPolls = Math.ceil(importTimeout.toSeconds() / pollInterval.toSeconds());
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(buildImportDefinition(this, { stage, start, check, record }, {
        pollInterval,
        maxPolls,
        maxStagingRounds: MAX_STAGING_ROUNDS,
      })),
      // A backstop only: staging, start retries (under an hour) and the bounded checks all end inside it.
      timeout: Duration.seconds(STAGE_TIMEOUT.toSeconds() * MAX_STAGING_ROUNDS + importTimeout.toSeconds() + Duration.hours(2).toSeconds()),
      // Named, with a role and key view whose KMS conditions can match (see the helper).
      ...encryptedStateMachineSettings(this, key),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    acknowledgeStateMachineRoleBaseline(this.stateMachine);
  }

  /**
   * Lets `fn` start imports: puts this state machine's ARN in its environment
   * (`HEALTH_IMAGING_STATE_MACHINE_ARN`) and grants it `states:StartExecution` on it.
   */
  public addStartingFunction(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(EnvVar.HEALTH_IMAGING_STATE_MACHINE_ARN, this.stateMachine.stateMachineArn);
    return this.stateMachine.grantStartExecution(fn);
  }

  /**
   * Assumed by HealthImaging, for this data store in this account only
   * (aws:SourceArn, aws:SourceAccount): reads the staged DICOM, writes the job output.
   */
  private createDataAccessRole(key: kms.IKey): iam.Role {
    const account = Stack.of(this).account;
    const role = new iam.Role(this, 'DataAccessRole', {
      description: 'Assumed by AWS HealthImaging to read staged study DICOM and write import job output',
      assumedBy: new iam.ServicePrincipal(MEDICAL_IMAGING).withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': this.datastoreArn },
      }),
    });
    const bucket = this.stagingBucket;
    const input = bucket.arnForObjects(`${HEALTH_IMAGING_INPUT_PREFIX}*`);
    const output = bucket.arnForObjects(`${HEALTH_IMAGING_OUTPUT_PREFIX}*`);
    const policy = new iam.ManagedPolicy(this, 'DataAccessPolicy', {
      description: 'HealthImaging import jobs: read staged DICOM, write job output, use the key through S3',
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'ReadStagedDicom', actions: ['s3:GetObject'], resources: [input] }),
        new iam.PolicyStatement({ sid: 'ListStagingBucket', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        new iam.PolicyStatement({ sid: 'WriteJobOutput', actions: ['s3:PutObject'], resources: [output] }),
        new iam.PolicyStatement({
          sid: 'UseKeyThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      ],
    });
    const v = Validations.of(policy);
    v.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceString(policy, input)}]`,
      reason: `Objects under the "${HEALTH_IMAGING_INPUT_PREFIX}" prefix of the dedicated staging bucket only: an import job reads every file under its study version's prefix, whose keys are made per study at run time.`,
    });
    v.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceString(policy, output)}]`,
      reason: `Objects under the "${HEALTH_IMAGING_OUTPUT_PREFIX}" prefix of the dedicated staging bucket only: HealthImaging names the job output (<datastoreId>-DicomImport-<jobId>/...) at run time.`,
    });
    return role;
  }

  /** Each function gets what its step does, and nothing of the others'. */
  private grantFunctions(props: HealthImagingImportProps, key: kms.IKey): void {
    const store = props.resultsStore;
    const bucketArn = this.stagingBucket.bucketArn;
    // Stage: read the study's instances and DICOM, write the staging prefix, record STAGING.
    store.grantReadData(this.stageFunction);
    store.grantUpdateData(this.stageFunction);
    store.grantReadDerivedImages(this.stageFunction);
    grantObjectPrefix(this.stageFunction, bucketArn, HEALTH_IMAGING_INPUT_PREFIX, ['s3:PutObject'],
      "the staging step copies each study version's de-identified DICOM under its own prefix here.");
    grantKeyViaService(this.stageFunction, key, 's3', KeyUse.ENCRYPT_DECRYPT);

    // Start: the import API on this data store, passing this role to HealthImaging only; record IMPORTING.
    iam.Grant.addToPrincipal({ grantee: this.startFunction, actions: ['medical-imaging:StartDICOMImportJob'], resourceArns: [this.datastoreArn] });
    this.startFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.dataAccessRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': MEDICAL_IMAGING } },
    }));
    store.grantUpdateData(this.startFunction);

    // Check: the status API on this data store only.
    iam.Grant.addToPrincipal({ grantee: this.checkFunction, actions: ['medical-imaging:GetDICOMImportJob'], resourceArns: [this.datastoreArn] });

    // Record: read the job output, record the outcome, announce it.
    grantObjectPrefix(this.recordFunction, bucketArn, HEALTH_IMAGING_OUTPUT_PREFIX, ['s3:GetObject'],
      "the record step reads the import job's manifest and SUCCESS/FAILURE files.");
    this.recordFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${HEALTH_IMAGING_OUTPUT_PREFIX}*`] } },
    }));
    grantKeyViaService(this.recordFunction, key, 's3', KeyUse.DECRYPT);
    store.grantUpdateData(this.recordFunction);
    props.notifier.grantPutEvents(this.recordFunction);
  }
}

function validateDurations(pollInterval: Duration, importTimeout: Duration, stagingRetention: Duration): void {
  if (pollInterval.toSeconds() < 10 || pollInterval.toSeconds() > 3600) {
    throw new Error('HealthImagingImport: pollInterval must be between 10 seconds and 1 hour.');
  }
  if (importTimeout.toSeconds() < pollInterval.toSeconds()) {
    throw new Error('HealthImagingImport: importTimeout must be at least one pollInterval.');
  }
  const days = stagingRetention.toSeconds() / Duration.days(1).toSeconds();
  if (!Number.isInteger(days) || days < 1 || stagingRetention.toSeconds() <= importTimeout.toSeconds()) {
    throw new Error('HealthImagingImport: stagingRetention must be whole days, longer than importTimeout (staged files must outlive the job).');
  }
}
