import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/app';
import { acknowledgements, formatFindings, nagFindings } from '../support/nag';

function synthExample(context: Record<string, string> = {}) {
  const { app, stack } = buildExampleApp(new App({ context }));
  return { app, stack, template: Template.fromStack(stack) };
}

describe('example app', () => {
  test('synthesizes with zero unacknowledged cdk-nag findings (AwsSolutions, HIPAA.Security, NIST.800.53.R5)', () => {
    const { app } = synthExample();
    const findings = nagFindings(app);
    expect(formatFindings(findings)).toBe('');
  });

  test('every acknowledgement carries a specific reason and sits on a resource, not the stack', () => {
    const { app, stack } = synthExample();
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(20);
    for (const ack of acks) {
      expect({ id: ack.id, reason: ack.reason.length >= 40 }).toEqual({ id: ack.id, reason: true });
      expect(ack.path).not.toBe(stack.node.path);
    }
  });

  test('runs both built-in analyzer kinds in the workflow', () => {
    const { template } = synthExample();
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('Analyze image-quality');
    expect(definition).toContain('Analyze resolution-check');
  });

  test('subscribes the e-mail addresses given as context', () => {
    const { template } = synthExample({ notificationEmails: 'radiology@example.org, oncall@example.org' });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.org' });
  });

  test('uses the one key it brings for every encrypted resource (no second key)', () => {
    const { template } = synthExample();
    template.resourceCountIs('AWS::KMS::Key', 1);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });
});
