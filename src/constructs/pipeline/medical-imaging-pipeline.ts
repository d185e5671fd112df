import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeidentificationOptions } from '../../shared/deidentification';
import { FindingRule } from '../../shared/finding-rules';
import { Analyzer } from '../analyzers/analyzer';
import { IImageAnalyzer } from '../analyzers/image-analyzer';
import { HealthImagingOptions } from '../health-imaging/health-imaging-import';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createPipelineKey } from '../helpers/pipeline-key';
import { nameMetricsService } from '../helpers/pipeline-metrics';
import { accessLogBucket } from '../helpers/secure-bucket';
import { DataLifecycleOptions, ImagingIngest } from '../ingest/imaging-ingest';
import { ReferencedSource } from '../ingest/referenced-source';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { NotificationSubscription } from '../notifier/notification-subscription';
import { OperationsThresholds, PipelineOperations } from '../operations/pipeline-operations';
import { ReanalysisOptions, StudyReanalysis } from '../reanalysis/study-reanalysis';
import { ResultsStore } from '../results-store/results-store';
import { ReviewApi, ReviewApiOptions } from '../review-api/review-api';
import { AnalysisWorkflow } from '../workflow/analysis-workflow';

export interface MedicalImagingPipelineProps {
  /**
   * One key for every bucket, table, queue, topic, bus, secret, log group and
   * state machine. A given key must let CloudWatch Logs
   * (`logs.<region>.amazonaws.com`, encryption context `aws:logs:arn`),
   * EventBridge and CloudWatch alarms (`events`/`cloudwatch.amazonaws.com`)
   * use it; a key created by this construct is set up so.
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The analyzers run on every study.
   * @default [Analyzer.imageQuality()]
   */
  readonly analyzers?: IImageAnalyzer[];
  /**
   * Bring your own upload bucket (see `ImagingIngestProps.existingUploadBucket`).
   * @default - a new upload bucket
   */
  readonly existingUploadBucket?: s3.IBucket;
  /**
   * Bring your own results table (see `ResultsStoreProps.existingTable`).
   * @default - a new table
   */
  readonly existingTable?: dynamodb.ITable;
  /**
   * Bring your own event bus.
   * @default - a new encrypted event bus
   */
  readonly existingEventBus?: events.IEventBus;
  /**
   * Bring your own SNS topic.
   * @default - a new encrypted, TLS-only topic
   */
  readonly existingTopic?: sns.ITopic;
  /**
   * E-mail addresses (clinicians) notified of results, reviews and failures; alarms go to the alarm topic.
   * @default - none
   */
  readonly notificationEmails?: string[];
  /**
   * Topic the alarms are sent to (the operations team's), kept apart from the clinicians' topic.
   * @default - a new KMS-encrypted, TLS-only topic (`operations.alarmTopic`)
   */
  readonly existingAlarmTopic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the created alarm topic.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * When the alarms fire (see `OperationsThresholds`).
   * @default - see `OperationsThresholds`
   */
  readonly alarmThresholds?: OperationsThresholds;
  /**
   * Name of this pipeline in its custom metrics (their `service` dimension), so pipelines sharing an account and region stay apart.
   * @default - a name unique to the stack and the construct's path
   */
  readonly metricsServiceName?: string;
  /**
   * Subscribers of the notification topic (e-mail, SMS, HTTPS, SQS, Lambda), each optionally
   * filtered by priority and event type; failed deliveries go to the notifier's dead-letter queue.
   * @default - none
   */
  readonly notificationSubscriptions?: NotificationSubscription[];
  /**
   * Link to a study in notifications, e.g. `https://viewer.example.org/studies/{studyKey}` (see `ClinicianNotifierProps.studyLinkTemplate`).
   * @default - no link
   */
  readonly studyLinkTemplate?: string;
  /**
   * A study is ready when no instance arrived for this long.
   * @default Duration.minutes(5)
   */
  readonly quietPeriod?: Duration;
  /**
   * What happens to each finding, decided by the first of these rules that matches it.
   *
   * Each rule releases, holds for review or suppresses the findings it matches,
   * at a priority; see `AnalysisWorkflowProps.findingRules`. Not allowed with
   * `autoReleaseThreshold`.
   * @default - the rules `autoReleaseThreshold` stands for
   */
  readonly findingRules?: FindingRule[];
  /**
   * Shorthand finding rules: findings at or above this confidence (0..1) are
   * released without a clinician; any finding below it (or a failed analyzer)
   * holds the study for review. Not allowed with `findingRules`.
   * @default 0.8
   */
  readonly autoReleaseThreshold?: number;
  /**
   * Settings of every function.
   * @default - see PipelineFunctionOptions
   */
  readonly functionOptions?: PipelineFunctionOptions;
  /**
   * Place every function in this VPC (shorthand for `functionOptions.vpc`).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * De-identification of DICOM objects (see `ImagingIngestProps.deidentification`).
   * @default - the Basic Profile without retain options, private tags removed, burned-in annotation quarantined
   */
  readonly deidentification?: DeidentificationOptions;
  /**
   * How long originals, quarantined uploads, noncurrent versions and access logs
   * live (see `DataLifecycleOptions`, README "Data lifecycle").
   * @default - accepted originals deleted, quarantine 30 days, noncurrent versions 30 days, access logs 365 days
   */
  readonly dataLifecycle?: DataLifecycleOptions;
  /**
   * CloudWatch Logs data identifiers masked in every log group on top of the
   * library's list (shorthand for `functionOptions.additionalLogDataIdentifiers`).
   * @default - the library's list (`PhiLogProtection.dataIdentifierNames()`)
   */
  readonly additionalLogDataIdentifiers?: logs.DataIdentifier[];
  /**
   * Import each ready study version's de-identified DICOM into AWS HealthImaging
   * (see `ImagingIngestProps.healthImaging`); failed imports raise an alarm too.
   * @default - no HealthImaging import
   */
  readonly healthImaging?: HealthImagingOptions;
  /**
   * Buckets (and key prefixes) an `Analysis Requested` event may name, beside the
   * upload prefix (see `ImagingIngestProps.referencedSources`).
   * @default - only objects under the upload prefix may be requested
   */
  readonly referencedSources?: ReferencedSource[];
  /**
   * Create the clinicians' review API (`ReviewApi`): the only way a held study is decided.
   * Turn it off to decide through a `ReviewApi` of your own (or none, with review off).
   * @default true
   */
  readonly reviewApi?: boolean;
  /**
   * Authorization (IAM by default, or Cognito), web ACL, throttling and preview URL lifetime of the review API.
   * @default - see `ReviewApiOptions`
   */
  readonly reviewApiOptions?: ReviewApiOptions;
  /**
   * Re-running chosen analyzers over past studies (`StudyReanalysis`), each study
   * getting a new version with amended reports and a change summary; also serves
   * `Analysis Requested` events naming a `studyKey`. Given (even as `{}`) turns it on.
   * Off by default: it can open a new version of any stored study and reissue
   * its reports, a power a platform team opts into.
   * @default - no re-analysis
   */
  readonly reanalysis?: ReanalysisOptions;
  /**
   * Also write a DICOM SR for PNG/JPEG studies, with UIDs derived from the
   * pseudonymous keys (see `ResultsStoreProps.structuredReportForImages`).
   * @default false - DICOM studies only
   */
  readonly structuredReportForImages?: boolean;
}

/**
 * The whole pipeline: results store, clinician notifier, analysis workflow and
 * imaging ingest under one customer-managed key, with alarms (to an operations topic) and a dashboard.
 */
export class MedicalImagingPipeline extends Construct {
  public readonly encryptionKey: kms.IKey;
  public readonly resultsStore: ResultsStore;
  public readonly notifier: ClinicianNotifier;
  public readonly workflow: AnalysisWorkflow;
  public readonly ingest: ImagingIngest;
  /** The review API (absent when `reviewApi` is false). */
  public readonly reviewApi?: ReviewApi;
  /** The re-analysis of past studies (absent unless `reanalysis` is given). */
  public readonly reanalysis?: StudyReanalysis;
  /** Alarms, alarm topic and dashboard. */
  public readonly operations: PipelineOperations;
  /** The operations alarms (`operations.alarms`). */
  public readonly alarms: cloudwatch.Alarm[];
  /** The operations dashboard (`operations.dashboard`). */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MedicalImagingPipelineProps = {}) {
    super(scope, id);
    // Before any child: every function under the pipeline reads this name for its metrics.
    nameMetricsService(this, props.metricsServiceName ?? Names.uniqueResourceName(this, { maxLength: 128 }));
    if (props.vpc && props.functionOptions?.vpc && props.vpc !== props.functionOptions.vpc) {
      throw new Error("MedicalImagingPipeline: pass the VPC either as 'vpc' or as 'functionOptions.vpc', not two different ones.");
    }
    const functionOptions: PipelineFunctionOptions = {
      ...props.functionOptions,
      vpc: props.vpc ?? props.functionOptions?.vpc,
      additionalLogDataIdentifiers: [...props.functionOptions?.additionalLogDataIdentifiers ?? [], ...props.additionalLogDataIdentifiers ?? []],
    };

    this.encryptionKey = props.encryptionKey ?? createPipelineKey(this, 'Key', 'Medical imaging pipeline: all data, logs and messages');
    const encryptionKey = this.encryptionKey;

    // The shared access-log bucket is created first, with the retention asked for.
    accessLogBucket(this, props.dataLifecycle?.accessLogRetention);
    this.resultsStore = new ResultsStore(this, 'ResultsStore', {
      encryptionKey,
      existingTable: props.existingTable,
      noncurrentVersionExpiration: props.dataLifecycle?.noncurrentVersionRetention,
      structuredReportForImages: props.structuredReportForImages,
    });
    this.notifier = new ClinicianNotifier(this, 'Notifier', {
      encryptionKey,
      existingEventBus: props.existingEventBus,
      existingTopic: props.existingTopic,
      emailAddresses: props.notificationEmails,
      subscriptions: props.notificationSubscriptions,
      studyLinkTemplate: props.studyLinkTemplate,
    });
    this.workflow = new AnalysisWorkflow(this, 'Workflow', {
      resultsStore: this.resultsStore,
      notifier: this.notifier,
      analyzers: props.analyzers ?? [Analyzer.imageQuality()],
      encryptionKey,
      findingRules: props.findingRules,
      autoReleaseThreshold: props.autoReleaseThreshold,
      functionOptions,
    });
    this.ingest = new ImagingIngest(this, 'Ingest', {
      resultsStore: this.resultsStore,
      notifier: this.notifier,
      encryptionKey,
      stateMachine: this.workflow.stateMachine,
      existingUploadBucket: props.existingUploadBucket,
      quietPeriod: props.quietPeriod,
      functionOptions,
      deidentification: props.deidentification,
      healthImaging: props.healthImaging,
      referencedSources: props.referencedSources,
      dataLifecycle: props.dataLifecycle,
    });
    if (props.reviewApi === false && props.reviewApiOptions !== undefined) {
      throw new Error("MedicalImagingPipeline: 'reviewApiOptions' configure the review API, which 'reviewApi: false' turns off.");
    }
    if (props.reviewApi !== false) {
      this.reviewApi = new ReviewApi(this, 'ReviewApi', {
        ...props.reviewApiOptions,
        workflow: this.workflow,
        resultsStore: this.resultsStore,
        notifier: this.notifier,
        encryptionKey,
        functionOptions,
      });
    }

    if (props.reanalysis !== undefined) {
      this.reanalysis = new StudyReanalysis(this, 'Reanalysis', {
        ...props.reanalysis,
        workflow: this.workflow,
        resultsStore: this.resultsStore,
        notifier: this.notifier,
        encryptionKey,
        functionOptions,
      });
    }

    this.operations = new PipelineOperations(this, 'Operations', {
      ingest: this.ingest,
      workflow: this.workflow,
      // Every function of the pipeline (analyzers, review API, re-analysis, HealthImaging steps included).
      functions: this.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function),
      encryptionKey,
      existingAlarmTopic: props.existingAlarmTopic,
      alarmEmails: props.alarmEmails,
      thresholds: props.alarmThresholds,
    });
    this.alarms = this.operations.alarms;
    this.dashboard = this.operations.dashboard;
  }
}
