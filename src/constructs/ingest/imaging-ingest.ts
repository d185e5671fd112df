import { Duration, Size, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { wireReferencedInput } from './referenced-input';
import { ReferencedSource } from './referenced-source';
import { deidentificationSettingsJson } from '../../core/deid/settings';
import { DeidentificationOptions } from '../../shared/deidentification';
import { EnvVar } from '../../shared/env';
import { OriginalHandling } from '../../shared/originals';
import { HealthImagingImport, HealthImagingOptions } from '../health-imaging/health-imaging-import';
import { grantDescribeExecutions } from '../helpers/execution-grants';
import { FunctionInvocation } from '../helpers/function-acknowledgements';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { grantKeyViaService, grantObjectPrefix, KeyUse } from '../helpers/grants';
import { createHandlerFunction } from '../helpers/handler-function';
import { RuleOnlyQueueTarget } from '../helpers/queue-target';
import { accessLogBucket, createSecureBucket } from '../helpers/secure-bucket';
import { assertNotBoth } from '../helpers/validate-props';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

/**
 * How long PHI-bearing objects live (README "Data lifecycle"). Rules on the
 * upload bucket apply only to the bucket this library creates; give a bucket of
 * your own the equivalent rules.
 */
export interface DataLifecycleOptions {
  /**
   * What happens to an upload once it is ingested (de-identified and recorded).
   * @default OriginalHandling.DELETE
   */
  readonly acceptedOriginals?: OriginalHandling;
  /**
   * Key prefix archived originals move to (`<prefix><keyed object hash>`), with `OriginalHandling.ARCHIVE`.
   * @default 'archive/'
   */
  readonly archivePrefix?: string;
  /**
   * Archived originals expire after this long.
   * @default Duration.days(365)
   */
  readonly archiveRetention?: Duration;
  /**
   * Quarantined (refused) uploads expire after this long.
   * @default Duration.days(30)
   */
  readonly quarantineRetention?: Duration;
  /**
   * Overwritten or deleted objects stay recoverable this long in every versioned bucket of the library.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
  /**
   * S3 server access logs (which name every object key) expire after this long.
   * One value per stack: the access-log bucket is shared.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
}

export interface ImagingIngestProps {
  /** Where instances, studies and derived images are recorded. */
  readonly resultsStore: ResultsStore;
  /** Receives `Study Received` / `Object Rejected` events. */
  readonly notifier: ClinicianNotifier;
  /**
   * Key for the upload bucket, queues, secret and function logs.
   * @default - the results store's key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Start one execution per ready study on this state machine
   * (ingest and sweeper get `states:StartExecution` on it only).
   * @default - studies are marked READY but no workflow is started
   */
  readonly stateMachine?: sfn.IStateMachine;
  /**
   * Bring your own upload bucket. Its owner must turn on EventBridge
   * notifications for it (`eventBridgeEnabled: true` / `NotificationConfiguration.EventBridgeConfiguration`),
   * otherwise nothing reaches the ingest queue; enforce TLS, block public access and
   * encrypt it. Import it with its `encryptionKey` so the grants include the key.
   * @default - a new KMS-encrypted, versioned, TLS-only bucket with EventBridge notifications
   */
  readonly existingUploadBucket?: s3.IBucket;
  /**
   * Overrides for the upload bucket this construct creates (encryption, TLS,
   * public access and access logs stay secure). Not allowed with `existingUploadBucket`.
   * @default - none
   */
  readonly uploadBucketProps?: s3.BucketProps;
  /**
   * Key prefix under which uploads are ingested.
   * @default 'incoming/'
   */
  readonly uploadPrefix?: string;
  /**
   * Key prefix for refused objects (`<prefix><REASON>/<original key>`).
   * @default 'quarantine/'
   */
  readonly quarantinePrefix?: string;
  /**
   * Only route keys ending with one of these suffixes (e.g. `.dcm`). Other keys
   * are ignored entirely, not quarantined: the type is sniffed from the bytes,
   * so leave this unset unless uploaders are known to name files consistently.
   * @default - every key under `uploadPrefix`
   */
  readonly objectKeySuffixes?: string[];
  /**
   * Largest object ingested; larger ones are quarantined as TOO_LARGE.
   * @default Size.mebibytes(512)
   */
  readonly maxObjectSize?: Size;
  /**
   * Also drop objects larger than `maxObjectSize` in the EventBridge rule
   * (numeric filter on `detail.object.size`), so they never reach the queue.
   * Off by default because dropped objects are neither ingested nor quarantined.
   * @default false
   */
  readonly filterOversizedInRule?: boolean;
  /**
   * A study is ready when no instance arrived for this long.
   * @default Duration.minutes(5)
   */
  readonly quietPeriod?: Duration;
  /**
   * A study ANALYZING for longer than this has its execution looked up by the
   * sweeper; if it is no longer running (and the execution-status rule missed
   * it), the study is marked FAILED.
   * @default Duration.minutes(10)
   */
  readonly lostExecutionGracePeriod?: Duration;
  /**
   * How often the sweeper looks for quiet studies.
   * @default Duration.minutes(1)
   */
  readonly sweepInterval?: Duration;
  /**
   * Messages per ingest invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the event source waits to fill a batch.
   * @default Duration.seconds(5)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * Use this secret (64+ random characters) as the pseudonymization key.
   * Never rotate it: a new key gives every patient and study new pseudonyms.
   * @default - a generated 64-character secret encrypted with `encryptionKey`
   */
  readonly existingPseudonymSecret?: secretsmanager.ISecret;
  /**
   * Lifecycle of originals, quarantined objects, noncurrent versions and access logs.
   * @default - see DataLifecycleOptions
   */
  readonly dataLifecycle?: DataLifecycleOptions;
  /**
   * Runtime, architecture, concurrency, logs and VPC of the functions.
   * @default - see PipelineFunctionOptions
   */
  readonly functionOptions?: PipelineFunctionOptions;
  /**
   * De-identification of DICOM objects (PS3.15 Basic Application Level
   * Confidentiality Profile): retain options, private tag safe-list and the
   * burned-in annotation policy. The de-identified object is stored as
   * `instance.dcm` next to the previews.
   * @default - the Basic Profile without retain options, every private tag removed,
   * burned-in annotation (YES, or modality US/ES/XC/SC/OT) quarantined
   */
  readonly deidentification?: DeidentificationOptions;
  /**
   * Also import each ready study version's de-identified DICOM into AWS
   * HealthImaging (see `HealthImagingImport`), started beside the analysis.
   * Needs `stateMachine`.
   * @default - no HealthImaging import
   */
  readonly healthImaging?: HealthImagingOptions;
  /**
   * Buckets (and key prefixes) whose stored objects an `Analysis Requested` event
   * on the pipeline bus may name, beside the upload prefix, which is always allowed.
   * Such objects are ingested like uploads but read only: never copied to
   * quarantine, moved or deleted.
   * @default - only objects under the upload prefix may be requested
   */
  readonly referencedSources?: ReferencedSource[];
  /**
   * Objects one `Analysis Requested` prefix may fan out to; a larger prefix is
   * refused whole (`Object Rejected`, TOO_MANY_OBJECTS): split the request.
   * @default 10000
   */
  readonly maxObjectsPerRequest?: number;
}

const INGEST_TIMEOUT = Duration.minutes(2);

/**
 * Upload bucket -> EventBridge rule (prefix/suffix/size) -> encrypted SQS queue
 * with DLQ -> ingest function (batched, partial-batch failures); plus a
 * scheduled sweeper that marks quiet studies ready and starts the workflow.
 */
export class ImagingIngest extends Construct {
  public readonly uploadBucket: s3.IBucket;
  public readonly ingestQueue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly ingestFunction: lambda.Function;
  public readonly sweeperFunction: lambda.Function;
  public readonly pseudonymSecret: secretsmanager.ISecret;
  /** Rule routing `Object Created` events of the upload prefix to the queue. */
  public readonly objectCreatedRule: events.Rule;
  /** Rule routing `Analysis Requested` events on the pipeline bus to the queue. */
  public readonly analysisRequestedRule: events.Rule;
  /** The HealthImaging import, when `healthImaging` is set. */
  public readonly healthImagingImport?: HealthImagingImport;

  constructor(scope: Construct, id: string, props: ImagingIngestProps) {
    super(scope, id);
    assertNotBoth('ImagingIngest', ['existingUploadBucket', props.existingUploadBucket], ['uploadBucketProps', props.uploadBucketProps]);
    const uploadPrefix = props.uploadPrefix ?? 'incoming/';
    const quarantinePrefix = props.quarantinePrefix ?? 'quarantine/';
    if (uploadPrefix.startsWith(quarantinePrefix) || quarantinePrefix.startsWith(uploadPrefix)) {
      throw new Error(`ImagingIngest: uploadPrefix '${uploadPrefix}' and quarantinePrefix '${quarantinePrefix}' must not overlap, or quarantined objects would be ingested again.`);
    }
    if (props.healthImaging && !props.stateMachine) {
      throw new Error("ImagingIngest: 'healthImaging' needs 'stateMachine': a study's import starts when its analysis starts.");
    }
    const batchSize = props.batchSize ?? 10;
    const maxBatchingWindow = props.maxBatchingWindow ?? Duration.seconds(5);
    const maxObjectSize = props.maxObjectSize ?? Size.mebibytes(512);
    const maxObjectsPerRequest = props.maxObjectsPerRequest ?? 10_000;
    if (!Number.isInteger(maxObjectsPerRequest) || maxObjectsPerRequest < 1) {
      throw new Error(`ImagingIngest: maxObjectsPerRequest must be a positive integer (got ${maxObjectsPerRequest}).`);
    }
    const key = props.encryptionKey ?? props.resultsStore.encryptionKey;
    const store = props.resultsStore;
    let deidentification: string;
    try {
      deidentification = deidentificationSettingsJson(props.deidentification);
    } catch (e) {
      throw new Error(`ImagingIngest: deidentification: ${e instanceof Error ? e.message : 'invalid'}`);
    }

    const lifecycle = props.dataLifecycle ?? {};
    const originals = lifecycle.acceptedOriginals ?? OriginalHandling.DELETE;
    const archivePrefix = lifecycle.archivePrefix ?? 'archive/';
    const overlapsArchive = (p: string) => p.startsWith(archivePrefix) || archivePrefix.startsWith(p);
    if (originals === OriginalHandling.ARCHIVE && [uploadPrefix, quarantinePrefix].some(overlapsArchive)) {
      throw new Error(`ImagingIngest: archivePrefix '${archivePrefix}' must not overlap uploadPrefix or quarantinePrefix.`);
    }

    // ---- Upload bucket
    accessLogBucket(this, lifecycle.accessLogRetention);
    this.uploadBucket = props.existingUploadBucket ?? createSecureBucket(this, 'UploadBucket', {
      encryptionKey: key,
      eventBridgeEnabled: true,
      overrides: props.uploadBucketProps,
      noncurrentVersionExpiration: lifecycle.noncurrentVersionRetention,
      lifecycleRules: [
        { id: 'expire-quarantined-uploads', prefix: quarantinePrefix, expiration: lifecycle.quarantineRetention ?? Duration.days(30) },
        ...(originals === OriginalHandling.ARCHIVE
          ? [{ id: 'expire-archived-originals', prefix: archivePrefix, expiration: lifecycle.archiveRetention ?? Duration.days(365) }]
          : []),
      ],
    });

    // ---- Queue with DLQ
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS guidance for SQS event sources: 6x the function timeout plus the batching window.
      visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6 + maxBatchingWindow.toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });

    // ---- S3 Object Created -> queue
    const keyFilter = props.objectKeySuffixes && props.objectKeySuffixes.length > 0
      ? props.objectKeySuffixes.map((suffix) => events.Match.wildcard(`${uploadPrefix}*${suffix}`))
      : [events.Match.prefix(uploadPrefix)];
    this.objectCreatedRule = new events.Rule(this, 'ObjectCreatedRule', {
      description: `Routes objects created under ${uploadPrefix} of the upload bucket to the ingest queue`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.uploadBucket.bucketName] },
          object: {
            key: events.Match.anyOf(...keyFilter),
            ...(props.filterOversizedInRule ? { size: events.Match.lessThanOrEqual(maxObjectSize.toBytes()) } : {}),
          },
        },
      },
      // Only this rule may send to the queue (and use the key for it), never another rule of the account.
      targets: [new RuleOnlyQueueTarget(this.ingestQueue)],
    });

    // ---- Pseudonymization key
    this.pseudonymSecret = props.existingPseudonymSecret ?? this.createPseudonymSecret(key);

    // ---- Ingest function (readiness on arrival) and sweeper (readiness over time) share the quiet period.
    const quietPeriodSeconds = String((props.quietPeriod ?? Duration.minutes(5)).toSeconds());
    const stateMachineEnv: Record<string, string> = props.stateMachine
      ? { [EnvVar.STATE_MACHINE_ARN]: props.stateMachine.stateMachineArn }
      : {};
    this.ingestFunction = createHandlerFunction(this, 'IngestFunction', {
      bundle: 'ingest/ingest.lambda',
      description: 'Validates, de-identifies and records uploaded medical images; quarantines bad input',
      encryptionKey: key,
      timeout: INGEST_TIMEOUT,
      memorySize: 2048,
      defaultReservedConcurrency: 20,
      options: props.functionOptions,
      environment: {
        [EnvVar.TABLE_NAME]: store.table.tableName,
        [EnvVar.UPLOAD_BUCKET]: this.uploadBucket.bucketName,
        [EnvVar.UPLOAD_PREFIX]: uploadPrefix,
        [EnvVar.QUARANTINE_PREFIX]: quarantinePrefix,
        [EnvVar.ORIGINAL_HANDLING]: originals,
        ...(originals === OriginalHandling.ARCHIVE ? { [EnvVar.ARCHIVE_PREFIX]: archivePrefix } : {}),
        [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName,
        [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
        [EnvVar.PSEUDONYM_SECRET_ARN]: this.pseudonymSecret.secretArn,
        [EnvVar.MAX_OBJECT_BYTES]: String(maxObjectSize.toBytes()),
        [EnvVar.QUIET_PERIOD_SECONDS]: quietPeriodSeconds,
        [EnvVar.DEIDENTIFICATION]: deidentification,
        ...stateMachineEnv,
      },
    });
    const reserved = this.ingestFunction.node.defaultChild as lambda.CfnFunction;
    this.ingestFunction.addEventSource(new sources.SqsEventSource(this.ingestQueue, {
      batchSize,
      maxBatchingWindow,
      reportBatchItemFailures: true,
      // Stay below the reserved concurrency so SQS polling is not throttled into the DLQ.
      maxConcurrency: typeof reserved.reservedConcurrentExecutions === 'number' && reserved.reservedConcurrentExecutions >= 2
        ? reserved.reservedConcurrentExecutions
        : undefined,
    }));

    // ---- Sweeper
    this.sweeperFunction = createHandlerFunction(this, 'SweeperFunction', {
      bundle: 'ingest/study-sweeper.lambda',
      description: 'Marks studies ready after their quiet period and starts their analysis',
      encryptionKey: key,
      timeout: Duration.seconds(60),
      memorySize: 512,
      // One sweep at a time; overlapping sweeps would only race for the same studies.
      defaultReservedConcurrency: 1,
      invocation: FunctionInvocation.SCHEDULE,
      options: props.functionOptions,
      environment: {
        [EnvVar.TABLE_NAME]: store.table.tableName,
        [EnvVar.QUIET_PERIOD_SECONDS]: quietPeriodSeconds,
        [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
        ...stateMachineEnv,
        // With a workflow, the sweeper also fails studies whose execution ended unseen.
        ...(props.stateMachine ? {
          ...props.notifier.messageEnvironment(),
          [EnvVar.ANALYZING_GRACE_SECONDS]: String((props.lostExecutionGracePeriod ?? Duration.minutes(10)).toSeconds()),
        } : {}),
      },
    });
    new events.Rule(this, 'SweepSchedule', {
      description: 'Runs the study sweeper',
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(1)),
      // A missed sweep is harmless: the next one finds the same studies.
      targets: [new targets.LambdaFunction(this.sweeperFunction, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });

    this.grantIngest(props, uploadPrefix, quarantinePrefix);
    if (originals === OriginalHandling.ARCHIVE) {
      grantObjectPrefix(this.ingestFunction, this.uploadBucket.bucketArn, archivePrefix, ['s3:PutObject'],
        'the ingest function moves each accepted original here under its keyed hash (OriginalHandling.ARCHIVE).');
    }
    this.analysisRequestedRule = wireReferencedInput(this, {
      ingestFunction: this.ingestFunction,
      ingestQueue: this.ingestQueue,
      eventBus: props.notifier.eventBus,
      uploadBucket: this.uploadBucket,
      uploadPrefix,
      sources: props.referencedSources ?? [],
      maxObjectsPerRequest,
    });
    this.grantSweeper(props);

    // ---- Optional HealthImaging import: started with the analysis by whichever function readies the study.
    if (props.healthImaging) {
      this.healthImagingImport = new HealthImagingImport(this, 'HealthImaging', {
        ...props.healthImaging,
        resultsStore: store,
        notifier: props.notifier,
        encryptionKey: key,
        functionOptions: props.functionOptions,
      });
      this.healthImagingImport.addStartingFunction(this.ingestFunction);
      this.healthImagingImport.addStartingFunction(this.sweeperFunction);
    }
  }

  private createPseudonymSecret(key: kms.IKey): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'PseudonymSecret', {
      description: 'Key for deterministic pseudonyms of patients, studies and DICOM UIDs. Never rotate.',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const reason =
      'This is the pseudonymization key: rotating it would give every returning patient and study new pseudonyms and split longitudinal studies, so it must stay stable.';
    Validations.of(secret).acknowledge(
      { id: 'AwsSolutions-SMG4', reason },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason },
      { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason },
    );
    return secret;
  }

  private grantIngest(props: ImagingIngestProps, uploadPrefix: string, quarantinePrefix: string): void {
    const fn = this.ingestFunction;
    const bucketArn = this.uploadBucket.bucketArn;
    grantObjectPrefix(fn, bucketArn, uploadPrefix,
      ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:DeleteObject'],
      'the ingest function reads each uploaded object and removes it once quarantined, or ingested unless originals are kept.');
    grantObjectPrefix(fn, bucketArn, quarantinePrefix, ['s3:PutObject', 's3:PutObjectTagging'],
      'the ingest function copies refused objects here with a reason-code tag.');
    grantKeyViaService(fn, this.uploadBucket.encryptionKey, 's3', KeyUse.ENCRYPT_DECRYPT);
    props.resultsStore.grantReadData(fn);
    props.resultsStore.grantWriteData(fn);
    props.resultsStore.grantWriteDerivedImages(fn);
    props.notifier.grantPutEvents(fn);
    this.pseudonymSecret.grantRead(fn);
    props.stateMachine?.grantStartExecution(fn);
  }

  private grantSweeper(props: ImagingIngestProps): void {
    const fn = this.sweeperFunction;
    props.resultsStore.grantReadData(fn);
    props.resultsStore.grantUpdateData(fn);
    props.notifier.grantPutEvents(fn);
    if (props.stateMachine) {
      props.stateMachine.grantStartExecution(fn);
      grantDescribeExecutions(fn, props.stateMachine);
      props.notifier.grantTopicPublish(fn);
    }
  }
}
