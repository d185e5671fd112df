import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newStack } from './fixtures';
import { logicalId } from './template-checks';
import { MedicalImagingPipeline, NotificationSubscription, PipelineEvents, StudyPriority } from '../../src';

describe('MedicalImagingPipeline notifications', () => {
  test('subscriptions with filters and the study link reach the notifier and every function that sends messages', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
      notificationSubscriptions: [NotificationSubscription.sms('+15555550100', { priorities: [StudyPriority.STAT], eventTypes: [PipelineEvents.REVIEW_REQUIRED] })],
      studyLinkTemplate: 'https://viewer.example.org/studies/{studyKey}',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      FilterPolicy: { priority: ['STAT'], eventType: ['Review Required'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(pipeline.notifier.deliveryDeadLetterQueue as sqs.Queue), 'Arn'] } },
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)
      .filter((env) => env?.TOPIC_ARN !== undefined);
    // notify-outcome, request-review, mark-failed, execution-ended, the sweeper and the review API's decision function.
    expect(functions.length).toBeGreaterThanOrEqual(6);
    for (const env of functions) expect(env!.STUDY_LINK_TEMPLATE).toBe('https://viewer.example.org/studies/{studyKey}');
  });

  test('without subscribers there is no delivery dead-letter queue and no link', () => {
    const { stack } = newStack();
    new MedicalImagingPipeline(stack, 'Pipeline');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) => id.includes('DeliveryDeadLetterQueue'))).toEqual([]);
    const envs = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Environment?.Variables ?? {});
    expect(envs.filter((env) => 'STUDY_LINK_TEMPLATE' in env)).toEqual([]);
  });
});
