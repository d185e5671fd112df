import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MetricDimension, MetricName, METRICS_NAMESPACE, safeDimensionValue } from '../../shared/metrics';
import { allowServiceToUseKey } from '../helpers/pipeline-key';
import { pipelineMetric, pipelineMetricsService } from '../helpers/pipeline-metrics';
import { ImagingIngest } from '../ingest/imaging-ingest';
import { AnalysisWorkflow } from '../workflow/analysis-workflow';

/** When each alarm fires; every value is optional and has the default shown. */
export interface OperationsThresholds {
  /**
   * Messages in the ingest dead-letter queue.
   * @default 1
   */
  readonly deadLetterMessages?: number;
  /**
   * Age of the oldest message waiting in the ingest queue.
   * @default Duration.minutes(15)
   */
  readonly oldestIngestMessageAge?: Duration;
  /**
   * Failed analysis executions in 5 minutes.
   * @default 1
   */
  readonly workflowFailures?: number;
  /**
   * Timed-out analysis executions in 5 minutes.
   * @default 1
   */
  readonly workflowTimeouts?: number;
  /**
   * Errors of any one function in 5 minutes.
   * @default 1
   */
  readonly functionErrors?: number;
  /**
   * Throttled invocations of any one function in 5 minutes.
   * @default 1
   */
  readonly functionThrottles?: number;
  /**
   * Reviews that passed their deadline without a decision in 1 hour.
   * @default 1
   */
  readonly reviewsOverdue?: number;
  /**
   * p95 of the end-to-end latency (first upload of a study version to its first report) over 1 hour.
   * Held studies include the clinician's review, so set it above the review deadline if reviews are common.
   * @default Duration.hours(2)
   */
  readonly endToEndLatencyP95?: Duration;
}

export interface PipelineOperationsProps {
  readonly ingest: ImagingIngest;
  readonly workflow: AnalysisWorkflow;
  /**
   * Functions whose errors and throttles each get an alarm and a graph.
   * @default - the ingest, sweeper and workflow step functions
   */
  readonly functions?: lambda.IFunction[];
  /**
   * Where alarms (and their return to OK) are sent. Keep it apart from the clinicians' topic.
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly existingAlarmTopic?: sns.ITopic;
  /**
   * Key of the created alarm topic; CloudWatch is allowed to use it for alarms of this account.
   * Required unless `existingAlarmTopic` is given.
   * @default - none
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * E-mail addresses subscribed to the alarm topic (the operations team, not clinicians).
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * The `service` dimension the handlers' custom metrics carry (the pipeline's name).
   * @default - the name `MedicalImagingPipeline` gives its functions, else `medical-imaging-pipeline`
   */
  readonly metricsServiceName?: string;
  /**
   * When the alarms fire.
   * @default - see `OperationsThresholds`
   */
  readonly thresholds?: OperationsThresholds;
}

/**
 * The pipeline's operations view: alarms with overridable thresholds on the
 * ingest queues, the workflow, every function, overdue reviews and the
 * end-to-end latency p95, sent to an operations topic; and a dashboard of the
 * same plus the custom metrics (images, studies, review wait, analyzers).
 */
export class PipelineOperations extends Construct {
  /** Receives every alarm and its return to OK (never the clinicians' topic). */
  public readonly alarmTopic: sns.ITopic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  /** The `service` dimension value of the custom metrics. */
  public readonly metricsServiceName: string;

  private readonly thresholds: OperationsThresholds;

  constructor(scope: Construct, id: string, props: PipelineOperationsProps) {
    super(scope, id);
    if (props.existingAlarmTopic !== undefined && props.alarmEmails !== undefined) {
      throw new Error("PipelineOperations: subscribe 'alarmEmails' to your own 'existingAlarmTopic' yourself, or let the construct create the topic.");
    }
    this.thresholds = props.thresholds ?? {};
    this.metricsServiceName = props.metricsServiceName ?? pipelineMetricsService(this);
    this.alarmTopic = props.existingAlarmTopic ?? this.createAlarmTopic(props.encryptionKey);
    for (const address of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(address));

    const { ingest, workflow } = props;
    const functions = props.functions ?? defaultFunctions(ingest, workflow);
    const t = this.thresholds;
    const fiveMinutes = Duration.minutes(5);
    this.alarmOn('DeadLetterQueueAlarm', 'Uploads the ingest could not process are waiting in the dead-letter queue',
      ingest.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), t.deadLetterMessages ?? 1);
    this.alarmOn('IngestBacklogAlarm', 'The oldest upload in the ingest queue has waited too long (seconds)',
      ingest.ingestQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      (t.oldestIngestMessageAge ?? Duration.minutes(15)).toSeconds());
    this.alarmOn('WorkflowFailedAlarm', 'Study analysis executions failed',
      workflow.stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }), t.workflowFailures ?? 1);
    this.alarmOn('WorkflowTimedOutAlarm', 'Study analysis executions timed out',
      workflow.stateMachine.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }), t.workflowTimeouts ?? 1);
    this.alarmOn('ReviewsOverdueAlarm', 'Reviews passed their deadline without a decision (a preliminary report went out)',
      this.metric(MetricName.REVIEWS_OVERDUE, 'Sum', Duration.hours(1)), t.reviewsOverdue ?? 1);
    this.alarmOn('EndToEndLatencyAlarm', 'p95 of upload-to-report latency is above its threshold (milliseconds)',
      this.metric(MetricName.END_TO_END_LATENCY, 'p95', Duration.hours(1)), (t.endToEndLatencyP95 ?? Duration.hours(2)).toMilliseconds());
    const imports = ingest.healthImagingImport?.stateMachine;
    if (imports) {
      this.alarmOn('HealthImagingImportAlarm', 'HealthImaging imports failed or timed out (the study records the reason code)',
        new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: { failed: imports.metricFailed({ period: fiveMinutes, statistic: 'Sum' }), timedOut: imports.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }) },
          period: fiveMinutes,
        }), 1);
    }
    for (const fn of functions) {
      const name = Names.uniqueId(fn).slice(-200);
      this.alarmOn(`${name}ErrorsAlarm`, `Errors of ${fn.node.path}`, fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), t.functionErrors ?? 1);
      this.alarmOn(`${name}ThrottlesAlarm`, `Throttled invocations of ${fn.node.path}`,
        fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }), t.functionThrottles ?? 1);
    }
    this.dashboard = this.createDashboard(ingest, workflow, functions);
  }

  /** A custom metric of this pipeline (namespace, name and `service` dimension). */
  public metric(name: string, statistic: string, period: Duration, dimensions: { [name: string]: string } = {}): cloudwatch.Metric {
    return pipelineMetric(this.metricsServiceName, name, statistic, period, dimensions);
  }

  private createAlarmTopic(key: kms.IKey | undefined): sns.Topic {
    if (key === undefined) throw new Error("PipelineOperations: pass 'encryptionKey' for the alarm topic, or an 'existingAlarmTopic'.");
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Medical imaging pipeline: operations alarms', masterKey: key, enforceSSL: true });
    const stack = Stack.of(this);
    allowServiceToUseKey(key, 'cloudwatch.amazonaws.com', 'AllowCloudWatchAlarmsToPublishEncrypted',
      stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    return topic;
  }

  private alarmOn(id: string, description: string, metric: cloudwatch.IMetric, threshold: number): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cwActions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }

  private createDashboard(ingest: ImagingIngest, workflow: AnalysisWorkflow, functions: lambda.IFunction[]): cloudwatch.Dashboard {
    const period = Duration.minutes(5);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const latency = (name: string, label: string) => [
      this.metric(name, 'p50', period).with({ label: `${label} p50` }),
      this.metric(name, 'p95', period).with({ label: `${label} p95` }),
    ];
    const analyzers = workflow.analyzerNames.map((name) => ({ name, dimension: { [MetricDimension.ANALYZER]: safeDimensionValue(name) } }));
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ingest queue',
        left: [
          ingest.ingestQueue.metricApproximateNumberOfMessagesVisible({ period }),
          ingest.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
        ],
        right: [ingest.ingestQueue.metricApproximateAgeOfOldestMessage({ period })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Images',
        left: [
          this.metric(MetricName.IMAGES_INGESTED, 'Sum', period).with({ label: 'Ingested' }),
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${MetricDimension.REASON},service} MetricName="${MetricName.IMAGES_REJECTED}" `
              + `service="${this.metricsServiceName}"', 'Sum', ${period.toSeconds()})`,
            label: 'Rejected',
            period,
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Studies',
        left: [
          this.metric(MetricName.STUDIES_COMPLETED, 'Sum', period).with({ label: 'Completed' }),
          this.metric(MetricName.STUDIES_FAILED, 'Sum', period).with({ label: 'Failed' }),
          this.metric(MetricName.REVIEWS_OVERDUE, 'Sum', period).with({ label: 'Reviews overdue' }),
        ],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'End-to-end latency (ms)', left: latency(MetricName.END_TO_END_LATENCY, 'Upload to report') }),
      new cloudwatch.GraphWidget({ title: 'Review wait (ms)', left: latency(MetricName.REVIEW_WAIT, 'Request to decision') }),
      new cloudwatch.GraphWidget({
        title: 'Analysis executions',
        left: [
          workflow.stateMachine.metricStarted({ period }),
          workflow.stateMachine.metricSucceeded({ period }),
          workflow.stateMachine.metricFailed({ period }),
          workflow.stateMachine.metricTimedOut({ period }),
        ],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Analyzer duration p95 (ms)',
        left: analyzers.map((a) => this.metric(MetricName.ANALYZER_DURATION, 'p95', period, a.dimension).with({ label: a.name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Analyzer failures',
        left: analyzers.map((a) => this.metric(MetricName.ANALYZER_FAILURES, 'Sum', period, a.dimension).with({ label: a.name })),
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: functions.map((fn) => fn.metricErrors({ period, statistic: 'Sum' }).with({ label: fn.node.id })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        left: functions.map((fn) => fn.metricThrottles({ period, statistic: 'Sum' }).with({ label: fn.node.id })),
      }),
    );
    return dashboard;
  }
}

function defaultFunctions(ingest: ImagingIngest, workflow: AnalysisWorkflow): lambda.IFunction[] {
  return [
    ingest.ingestFunction,
    ingest.sweeperFunction,
    workflow.selectImagesFunction,
    workflow.planAnalysisFunction,
    workflow.recordBatchFunction,
    workflow.collectAnalysisFunction,
    workflow.aggregateFindingsFunction,
    workflow.requestReviewFunction,
    workflow.persistResultsFunction,
    workflow.notifyOutcomeFunction,
    workflow.markFailedFunction,
    workflow.executionEndedFunction,
  ];
}
