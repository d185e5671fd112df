/**
 * The operations view of a pipeline: each alarm with its metric, statistic and
 * threshold (default and override), actions to an encrypted operations topic
 * apart from the clinicians' topic, the dashboard's widgets, and the custom
 * metrics' service dimension reaching every function.
 */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Analyzer, MedicalImagingPipeline, MedicalImagingPipelineProps } from '../../../src';
import { DEFAULT_METRICS_SERVICE, MetricName, METRICS_NAMESPACE } from '../../../src/shared/metrics';
import { expectNoNagFindings } from '../../support/nag';
import { newStack } from '../fixtures';
import { logicalId } from '../template-checks';

function synth(props: MedicalImagingPipelineProps = {}) {
  const { app, stack } = newStack();
  const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
    analyzers: [Analyzer.imageQuality({ name: 'quality' })],
    ...props,
  });
  return { app, stack, pipeline, template: Template.fromStack(stack) };
}

type Alarm = { Properties: Record<string, any> };
function alarmsOf(template: Template): Record<string, Alarm> {
  return template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>;
}
function alarm(template: Template, metricName: string, namespace?: string): Record<string, any> {
  const found = Object.values(alarmsOf(template)).filter((a) => a.Properties.MetricName === metricName
    && (namespace === undefined || a.Properties.Namespace === namespace));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

describe('PipelineOperations (composed by MedicalImagingPipeline)', () => {
  const built = synth({ metricsServiceName: 'radiology-prod' });
  const { template, pipeline } = built;
  const service = [{ Name: 'service', Value: 'radiology-prod' }];

  test('queue alarms: dead-letter depth (max, >= 1) and the oldest ingest message age (15 minutes, in seconds)', () => {
    expect(alarm(template, 'ApproximateNumberOfMessagesVisible')).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(pipeline.ingest.deadLetterQueue), 'QueueName'] } }],
    });
    expect(alarm(template, 'ApproximateAgeOfOldestMessage')).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 900,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(pipeline.ingest.ingestQueue), 'QueueName'] } }],
    });
  });

  test('workflow alarms: failed and timed-out executions of the analysis state machine', () => {
    const dimensions = [{ Name: 'StateMachineArn', Value: { Ref: logicalId(pipeline.workflow.stateMachine) } }];
    expect(alarm(template, 'ExecutionsFailed')).toMatchObject({ Namespace: 'AWS/States', Statistic: 'Sum', Period: 300, Threshold: 1, Dimensions: dimensions });
    expect(alarm(template, 'ExecutionsTimedOut')).toMatchObject({ Namespace: 'AWS/States', Statistic: 'Sum', Threshold: 1, Dimensions: dimensions });
  });

  test('custom-metric alarms: reviews overdue (sum per hour) and end-to-end latency p95 (2 hours, in ms), by the pipeline service', () => {
    expect(alarm(template, MetricName.REVIEWS_OVERDUE)).toMatchObject({
      Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Period: 3600, Threshold: 1, Dimensions: service,
    });
    const latency = alarm(template, MetricName.END_TO_END_LATENCY);
    expect(latency).toMatchObject({ Namespace: METRICS_NAMESPACE, ExtendedStatistic: 'p95', Period: 3600, Threshold: 7_200_000, Dimensions: service });
    expect(latency.Statistic).toBeUndefined();
  });

  test('errors and throttles alarms for every function of the pipeline, each naming its function', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(10);
    for (const metric of ['Errors', 'Throttles']) {
      const named = Object.values(alarmsOf(template))
        .filter((a) => a.Properties.Namespace === 'AWS/Lambda' && a.Properties.MetricName === metric)
        .map((a) => { expect(a.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1 }); return a.Properties.Dimensions[0].Value.Ref; });
      expect(named.sort()).toEqual([...functions].sort());
    }
  });

  test('every alarm (and its return to OK) goes to the operations topic only, never to the clinicians\' topic', () => {
    const opsTopic = { Ref: logicalId(pipeline.operations.alarmTopic as sns.Topic) };
    const cliniciansTopic = { Ref: logicalId(pipeline.notifier.topic as sns.Topic) };
    expect(opsTopic).not.toEqual(cliniciansTopic);
    for (const a of Object.values(alarmsOf(template))) {
      expect(a.Properties.AlarmActions).toEqual([opsTopic]);
      expect(a.Properties.OKActions).toEqual([opsTopic]);
    }
    expect(pipeline.alarms).toBe(pipeline.operations.alarms);
    expect(pipeline.alarms.length).toBe(Object.keys(alarmsOf(template)).length);
  });

  test('the operations topic is KMS-encrypted and TLS-only', () => {
    const id = logicalId(pipeline.operations.alarmTopic as sns.Topic);
    expect(template.toJSON().Resources[id].Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(pipeline.encryptionKey as any), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('every function carries the pipeline name the custom metrics use as their service dimension', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('radiology-prod');
    }
  });

  test('the dashboard: alarm status, queues, images (rejections by reason), studies, latency and review wait p50/p95, analyzers, functions', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.parse(built.stack.resolve(dashboard.Properties.DashboardBody)['Fn::Join'][1]
      .map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as { widgets: any[] };
    const widgets = Object.fromEntries(body.widgets.map((w) => [w.properties.title, w.properties]));
    expect(Object.keys(widgets)).toEqual([
      'Alarms', 'Ingest queue', 'Images', 'Studies', 'End-to-end latency (ms)', 'Review wait (ms)', 'Analysis executions',
      'Analyzer duration p95 (ms)', 'Analyzer failures', 'Function errors', 'Function throttles',
    ]);
    expect(widgets.Alarms.alarms).toHaveLength(pipeline.alarms.length);
    // A dashboard metric is [namespace, name, dimension name, value, ..., options].
    const custom = (title: string) => widgets[title].metrics.filter((m: unknown[]) => m[0] === METRICS_NAMESPACE).map((m: any[]) => {
      const options = typeof m[m.length - 1] === 'object' ? m[m.length - 1] : {};
      const pairs = m.slice(2, typeof m[m.length - 1] === 'object' ? -1 : undefined);
      const dimensions = Object.fromEntries(Array.from({ length: pairs.length / 2 }, (_, i) => [pairs[2 * i], pairs[2 * i + 1]]));
      return { name: m[1], dimensions, stat: options.stat, label: options.label };
    });
    const byService = { service: 'radiology-prod' };
    expect(custom('End-to-end latency (ms)')).toEqual([
      { name: MetricName.END_TO_END_LATENCY, dimensions: byService, stat: 'p50', label: 'Upload to report p50' },
      { name: MetricName.END_TO_END_LATENCY, dimensions: byService, stat: 'p95', label: 'Upload to report p95' },
    ]);
    expect(custom('Review wait (ms)').map((m: any) => [m.name, m.stat])).toEqual([[MetricName.REVIEW_WAIT, 'p50'], [MetricName.REVIEW_WAIT, 'p95']]);
    expect(custom('Studies').map((m: any) => [m.name, m.dimensions])).toEqual(
      [MetricName.STUDIES_COMPLETED, MetricName.STUDIES_FAILED, MetricName.REVIEWS_OVERDUE].map((name) => [name, byService]));
    expect(custom('Analyzer duration p95 (ms)')).toEqual([
      { name: MetricName.ANALYZER_DURATION, dimensions: { ...byService, Analyzer: 'quality' }, stat: 'p95', label: 'quality' },
    ]);
    expect(custom('Analyzer failures')).toEqual([
      { name: MetricName.ANALYZER_FAILURES, dimensions: { ...byService, Analyzer: 'quality' }, stat: 'Sum', label: 'quality' },
    ]);
    expect(custom('Images')).toEqual([{ name: MetricName.IMAGES_INGESTED, dimensions: byService, stat: 'Sum', label: 'Ingested' }]);
    const search = widgets.Images.metrics.find((m: any[]) => typeof m[0] === 'object')[0].expression as string;
    expect(search).toBe(`SEARCH('{${METRICS_NAMESPACE},Reason,service} MetricName="${MetricName.IMAGES_REJECTED}" service="radiology-prod"', 'Sum', 300)`);
    expect(widgets['Function errors'].metrics).toHaveLength(Object.keys(template.findResources('AWS::Lambda::Function')).length);
  });

  test('cdk-nag clean', () => {
    expectNoNagFindings(built.app);
  });
});

describe('PipelineOperations options', () => {
  test('thresholds are overridable', () => {
    const { template } = synth({
      alarmThresholds: {
        deadLetterMessages: 5,
        oldestIngestMessageAge: Duration.minutes(2),
        workflowFailures: 3,
        workflowTimeouts: 2,
        functionErrors: 10,
        functionThrottles: 4,
        reviewsOverdue: 6,
        endToEndLatencyP95: Duration.minutes(20),
      },
    });
    expect(alarm(template, 'ApproximateNumberOfMessagesVisible').Threshold).toBe(5);
    expect(alarm(template, 'ApproximateAgeOfOldestMessage').Threshold).toBe(120);
    expect(alarm(template, 'ExecutionsFailed').Threshold).toBe(3);
    expect(alarm(template, 'ExecutionsTimedOut').Threshold).toBe(2);
    expect(alarm(template, MetricName.REVIEWS_OVERDUE).Threshold).toBe(6);
    expect(alarm(template, MetricName.END_TO_END_LATENCY).Threshold).toBe(1_200_000);
    const lambdaThresholds = (metric: string) => new Set(Object.values(alarmsOf(template))
      .filter((a) => a.Properties.Namespace === 'AWS/Lambda' && a.Properties.MetricName === metric).map((a) => a.Properties.Threshold));
    expect(lambdaThresholds('Errors')).toEqual(new Set([10]));
    expect(lambdaThresholds('Throttles')).toEqual(new Set([4]));
  });

  test('a given alarm topic receives the alarms and no topic is created for them; alarm e-mails go to a created topic', () => {
    const { stack } = newStack();
    const given = sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops');
    new MedicalImagingPipeline(stack, 'Pipeline', { existingAlarmTopic: given });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1); // the clinicians' topic only
    for (const a of Object.values(alarmsOf(template))) expect(a.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111111111111:ops']);

    const withEmails = synth({ alarmEmails: ['oncall@example.org'], notificationEmails: ['radiology@example.org'] });
    withEmails.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email', Endpoint: 'oncall@example.org', TopicArn: { Ref: logicalId(withEmails.pipeline.operations.alarmTopic as sns.Topic) },
    });
    withEmails.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email', Endpoint: 'radiology@example.org', TopicArn: { Ref: logicalId(withEmails.pipeline.notifier.topic as sns.Topic) },
    });
  });

  test('the default service name is unique to the stack and path; functions outside a pipeline use the library default', () => {
    const { template, pipeline } = synth();
    expect(pipeline.operations.metricsServiceName).toMatch(/^TestStackPipeline/);
    const names = new Set(Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME));
    expect([...names]).toEqual([pipeline.operations.metricsServiceName]);
    expect(alarm(template, MetricName.REVIEWS_OVERDUE).Dimensions).toEqual([{ Name: 'service', Value: pipeline.operations.metricsServiceName }]);
    expect(DEFAULT_METRICS_SERVICE).toBe('medical-imaging-pipeline');
  });

  test('an invalid service name fails fast', () => {
    expect(() => synth({ metricsServiceName: 'has spaces' })).toThrow(/Metrics service name 'has spaces' is invalid/);
  });
});
