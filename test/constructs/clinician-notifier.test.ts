import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newStack } from './fixtures';
import { expectAllEncryptedWith, expectNoWildcardActions, logicalId } from './template-checks';
import { ClinicianNotifier, NotificationSubscription, PipelineEvents, StudyPriority } from '../../src';
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
    // The bus, the topic and the delivery dead-letter queue.
    expect(expectAllEncryptedWith(template, key)).toBe(3);
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

describe('ClinicianNotifier subscriptions, filters and dead-letter queue', () => {
  function withEverySubscription() {
    const { app, stack } = newStack();
    const queueKey = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });
    const queue = new sqs.Queue(stack, 'Integration', {
      encryptionMasterKey: queueKey,
      enforceSSL: true,
      deadLetterQueue: { queue: new sqs.Queue(stack, 'IntegrationDlq', { encryptionMasterKey: queueKey, enforceSSL: true }), maxReceiveCount: 3 },
    });
    const fn = lambda.Function.fromFunctionArn(stack, 'Pager', 'arn:aws:lambda:eu-west-1:111111111111:function:pager');
    const notifier = new ClinicianNotifier(stack, 'Notifier', {
      emailAddresses: ['all@example.org'],
      subscriptions: [
        NotificationSubscription.email('reviewers@example.org', { eventTypes: [PipelineEvents.REVIEW_REQUIRED, PipelineEvents.REVIEW_OVERDUE] }),
        NotificationSubscription.sms('+15555550100', { priorities: [StudyPriority.STAT] }),
        NotificationSubscription.https('https://hooks.example.org/stat', { priorities: [StudyPriority.STAT, StudyPriority.URGENT] }),
        NotificationSubscription.sqsQueue(queue, { eventTypes: [PipelineEvents.ANALYSIS_COMPLETED], priorities: [StudyPriority.ROUTINE] }),
        NotificationSubscription.lambdaFunction(fn, { eventTypes: [PipelineEvents.STUDY_FAILED] }),
      ],
    });
    return { app, stack, notifier, queue, queueKey, template: Template.fromStack(stack) };
  }

  test('every protocol is subscribed with its filter policy on the priority and eventType attributes', () => {
    const { template } = withEverySubscription();
    template.resourceCountIs('AWS::SNS::Subscription', 6);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email', Endpoint: 'reviewers@example.org', FilterPolicy: { eventType: ['Review Required', 'Review Overdue'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+15555550100', FilterPolicy: { priority: ['STAT'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https', Endpoint: 'https://hooks.example.org/stat', FilterPolicy: { priority: ['STAT', 'URGENT'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs', FilterPolicy: { eventType: ['Analysis Completed'], priority: ['ROUTINE'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda', Endpoint: 'arn:aws:lambda:eu-west-1:111111111111:function:pager', FilterPolicy: { eventType: ['Study Failed'] },
    });
    // The plain e-mail list has no filter: it receives everything.
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'all@example.org', FilterPolicy: Match.absent() });
  });

  test('every subscription redrives failed deliveries to one KMS-encrypted, TLS-only dead-letter queue', () => {
    const { template, notifier } = withEverySubscription();
    const dlq = logicalId(notifier.deliveryDeadLetterQueue);
    const subscriptionsOf = template.findResources('AWS::SNS::Subscription');
    expect(Object.values(subscriptionsOf).map((r) => r.Properties.RedrivePolicy))
      .toEqual(Array(6).fill({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } }));
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(notifier.encryptionKey), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    // Only this topic may send to the dead-letter queue; plain transport is denied.
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .filter((r) => JSON.stringify(r.Properties.Queues) === JSON.stringify([{ Ref: dlq }]));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(notifier.topic as sns.Topic) } } },
      }),
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));
    expect(statements.filter((st) => st.Effect === 'Allow')).toHaveLength(1);
    // SNS may use the pipeline key to write into the encrypted queue, for this account only.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowSnsToSendToEncryptedQueues',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })]),
      },
    });
  });

  test('an encrypted SQS subscriber gets a queue policy for this topic and its key is opened to SNS', () => {
    const { template, notifier, queue, queueKey } = withEverySubscription();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(notifier.topic as sns.Topic) } } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey']),
        })]),
      },
    });
    expect(logicalId(queueKey)).not.toBe(logicalId(notifier.encryptionKey));
  });

  test('refuses unknown event types, non-E.164 numbers, plain HTTP and bad link templates', () => {
    expect(() => NotificationSubscription.email('a@example.org', { eventTypes: ['Review Requested'] }))
      .toThrow(/unknown event type 'Review Requested'/);
    expect(() => NotificationSubscription.sms('555-0100')).toThrow(/E.164/);
    expect(() => NotificationSubscription.https('http://hooks.example.org')).toThrow(/https:\/\//);
    const { stack } = newStack();
    expect(() => new ClinicianNotifier(stack, 'A', { studyLinkTemplate: 'https://viewer.example.org/studies' })).toThrow(/must contain \{studyKey\}/);
    expect(() => new ClinicianNotifier(stack, 'B', { studyLinkTemplate: 'https://viewer.example.org/{patientName}/{studyKey}' }))
      .toThrow(/unknown placeholder \{patientName\}/);
    expect(() => new ClinicianNotifier(stack, 'C', { studyLinkTemplate: 'http://viewer.example.org/{studyKey}' })).toThrow(/https/);
  });

  test('messageEnvironment carries the topic and the link template for the publishing functions', () => {
    const { stack } = newStack();
    const withLink = new ClinicianNotifier(stack, 'A', { studyLinkTemplate: 'https://viewer.example.org/studies/{studyKey}?v={version}' });
    expect(stack.resolve(withLink.messageEnvironment())).toEqual({
      TOPIC_ARN: { Ref: logicalId(withLink.topic as sns.Topic) },
      STUDY_LINK_TEMPLATE: 'https://viewer.example.org/studies/{studyKey}?v={version}',
    });
    expect(Object.keys(new ClinicianNotifier(stack, 'B').messageEnvironment())).toEqual(['TOPIC_ARN']);
  });

  test('with every kind of subscription: AwsSolutions, HIPAA and NIST 800-53 R5 clean', () => {
    const { app } = withEverySubscription();
    expectNoNagFindings(app);
  });
});
