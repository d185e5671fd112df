import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newStack } from './fixtures';
import { expectAllEncryptedWith, expectNoWildcardActions, logicalId } from './template-checks';
import { ClinicianNotifier } from '../../src';
import { expectNoNagFindings } from '../support/nag';

describe('ClinicianNotifier', () => {
  test('creates an encrypted bus and a KMS-encrypted, TLS-only topic with subscriptions', () => {
    const { stack } = newStack();
    const notifier = new ClinicianNotifier(stack, 'Notifier', {
      emailAddresses: ['radiology@example.org'],
      smsNumbers: ['+15555550100'],
      httpsEndpoints: ['https://hooks.example.org/imaging'],
    });
    const template = Template.fromStack(stack);
    const key = logicalId(notifier.encryptionKey);
    expect(expectAllEncryptedWith(template, key)).toBe(2);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'radiology@example.org' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+15555550100' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.org/imaging' });
    // CloudWatch alarms may publish to the encrypted topic, for this account only.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })]),
      },
    });
  });

  test('addSubscription subscribes anything SNS supports', () => {
    const { stack } = newStack();
    const notifier = new ClinicianNotifier(stack, 'Notifier');
    notifier.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(stack, 'Q', { enforceSSL: true })));
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
  });

  test('grantPublish: PutEvents on this bus, Publish on this topic, topic key through SNS only', () => {
    const { stack } = newStack();
    const notifier = new ClinicianNotifier(stack, 'Notifier');
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    notifier.grantPublish(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [logicalId(notifier.eventBus as events.EventBus), 'Arn'] } }),
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
            Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
          }),
          Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: logicalId(notifier.topic as sns.Topic) } }),
        ]),
      },
    });
    expectNoWildcardActions(template);
  });

  test('uses an existing bus and topic without creating them', () => {
    const { stack } = newStack();
    const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'clinical-events');
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:clinicians');
    const notifier = new ClinicianNotifier(stack, 'Notifier', { existingEventBus: bus, existingTopic: topic, emailAddresses: ['a@example.org'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:eu-west-1:111111111111:clinicians' });
    expect(notifier.eventBus).toBe(bus);
    expect(notifier.topic).toBe(topic);
  });

  test('refuses contradictory props and plain-HTTP endpoints', () => {
    const { stack } = newStack();
    const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'clinical-events');
    expect(() => new ClinicianNotifier(stack, 'A', { existingEventBus: bus, eventBusName: 'x' }))
      .toThrow(/pass either 'existingEventBus' or 'eventBusName', not both/);
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:clinicians');
    expect(() => new ClinicianNotifier(stack, 'B', { existingTopic: topic, topicDisplayName: 'x' }))
      .toThrow(/pass either 'existingTopic' or 'topicDisplayName', not both/);
    expect(() => new ClinicianNotifier(stack, 'C', { httpsEndpoints: ['http://hooks.example.org'] }))
      .toThrow(/httpsEndpoints must use https:\/\//);
  });

  test('passes AwsSolutions, HIPAA and NIST 800-53 R5 checks', () => {
    const { app, stack } = newStack();
    new ClinicianNotifier(stack, 'Notifier', { emailAddresses: ['radiology@example.org'] });
    expectNoNagFindings(app);
  });
});
