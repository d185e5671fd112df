import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newStack } from './fixtures';
import {
  expectAllEncryptedWith,
  expectBucketsSecure,
  expectFunctionsHardened,
  expectNoWildcardActions,
  expectQueuesHaveDlq,
  logicalId,
} from './template-checks';
import { BurnedInAnnotationPolicy, MedicalImagingPipeline } from '../../src';
import { acknowledgements, expectNoNagFindings } from '../support/nag';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('MedicalImagingPipeline', () => {
  test('one rotating key encrypts every bucket, table, queue, topic, bus, secret, log group and state machine', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', { notificationEmails: ['radiology@example.org'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });
    const logsStatement = (Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as any[])
      .find((s) => s.Principal?.Service === 'logs.eu-west-1.amazonaws.com');
    expect(JSON.stringify(logsStatement.Condition)).toMatch(/:logs:eu-west-1:111111111111:log-group:\*/);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    expectAllEncryptedWith(template, logicalId(pipeline.encryptionKey), [logBucket]);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expectBucketsSecure(template);
    expectQueuesHaveDlq(template);
    expectNoWildcardActions(template);
    expectFunctionsHardened(template);
  });

  test('alarms on DLQ depth, failed executions and ingest errors notify the operations topic, not the clinicians\'; a dashboard', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline');
    const template = Template.fromStack(stack);
    const topicRef = { Ref: logicalId(pipeline.operations.alarmTopic as sns.Topic) };
    expect(topicRef).not.toEqual({ Ref: logicalId(pipeline.notifier.topic as sns.Topic) });
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ExecutionsFailed', 'ExecutionsTimedOut', 'Errors']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicRef],
      });
    }
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('a given key is used everywhere and no key is created', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Given', KEY_ARN);
    new MedicalImagingPipeline(stack, 'Pipeline', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    expectAllEncryptedWith(template, KEY_ARN, [logBucket]);
  });

  test('brought-your-own bucket, table, bus and topic are used, not duplicated', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
      existingUploadBucket: s3.Bucket.fromBucketName(stack, 'Uploads', 'hospital-uploads'),
      existingTable: dynamodb.Table.fromTableName(stack, 'Table', 'studies'),
      existingEventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'clinical-events'),
      existingTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:clinicians'),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1); // the operations (alarm) topic only
    template.resourceCountIs('AWS::S3::Bucket', 3); // derived images, reports, access logs
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ bucket: { name: ['hospital-uploads'] } }) }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: logicalId(pipeline.operations.alarmTopic as sns.Topic) }] });
    expect(pipeline.ingest.uploadBucket.bucketName).toBe('hospital-uploads');
  });

  test('de-identification options pass through to the ingest function', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
      deidentification: { retainPatientCharacteristics: true, burnedInAnnotationPolicy: BurnedInAnnotationPolicy.ALLOW },
    });
    const env = Template.fromStack(stack).toJSON().Resources[logicalId(pipeline.ingest.ingestFunction)].Properties.Environment.Variables;
    expect(JSON.parse(env.DEIDENTIFICATION)).toMatchObject({ retainPatientCharacteristics: true, burnedInAnnotationPolicy: 'ALLOW' });
  });

  test('functions go into the given VPC; two different VPCs are refused', () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    new MedicalImagingPipeline(stack, 'Pipeline', { vpc });
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.every((fn) => fn.Properties.VpcConfig !== undefined)).toBe(true);

    const other = new ec2.Vpc(stack, 'Other', { maxAzs: 1 });
    expect(() => new MedicalImagingPipeline(stack, 'Twice', { vpc, functionOptions: { vpc: other } }))
      .toThrow(/pass the VPC either as 'vpc' or as 'functionOptions.vpc'/);
  });

  test('passes AwsSolutions, HIPAA and NIST 800-53 R5 with specific acknowledgements only', () => {
    const { app, stack } = newStack();
    new MedicalImagingPipeline(stack, 'Pipeline', { notificationEmails: ['radiology@example.org'] });
    expectNoNagFindings(app);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    const vague = acks.filter((a) => a.reason.trim().length < 40 || a.reason.includes(a.id));
    expect(vague).toEqual([]);
    // Acknowledgements sit on resources, never on the stack or the app.
    expect(acks.filter((a) => a.path === '' || a.path === stack.node.path)).toEqual([]);
  });

  test('composes the review API (IAM on every method, the only SendTaskSuccess grant); options pass through; it can be turned off', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
      reviewApiOptions: { webAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/reviews/abc', throttlingRateLimit: 7 },
    });
    const template = Template.fromStack(stack);
    expect(pipeline.reviewApi).toBeDefined();
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods.map((m) => m.Properties.AuthorizationType)).toEqual(['AWS_IAM', 'AWS_IAM', 'AWS_IAM']);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/reviews/abc' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 7 })]),
    });
    const taskResponders = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('states:SendTaskSuccess'))
      .map(([, p]) => p.Properties.Roles[0].Ref as string);
    expect(taskResponders).toEqual([logicalId(pipeline.reviewApi!.decisionFunction.role!.node.defaultChild as any)]);

    const { stack: bare } = newStack();
    expect(new MedicalImagingPipeline(bare, 'Pipeline', { reviewApi: false }).reviewApi).toBeUndefined();
    Template.fromStack(bare).resourceCountIs('AWS::ApiGateway::RestApi', 0);
    const { stack: confused } = newStack();
    expect(() => new MedicalImagingPipeline(confused, 'Pipeline', { reviewApi: false, reviewApiOptions: { throttlingRateLimit: 1 } }))
      .toThrow(/reviewApiOptions/);
  });
});
