import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { newStack } from './fixtures';
import { expectFunctionRolesWithoutManagedPolicies, expectWildcardResourcesOnlyWhereRequired } from './template-checks';
import { MedicalImagingPipeline } from '../../src';
import { evaluate, PolicyStatementJson, resolveIntrinsics } from '../support/policy-evaluator';

describe('function roles', () => {
  test('in a VPC too: no managed policy, the ENI actions inline, and no log writes outside the own log group', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) });
    const template = Template.fromStack(stack);
    expect(expectFunctionRolesWithoutManagedPolicies(template)).toBeGreaterThan(10);
    expectWildcardResourcesOnlyWhereRequired(template);

    const roleId = stack.resolve((pipeline.ingest.ingestFunction.role!.node.defaultChild as any).logicalId);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
      .flatMap((p) => resolveIntrinsics(p.Properties.PolicyDocument.Statement as PolicyStatementJson[], { partition: 'aws', region: 'eu-west-1', account: '111111111111' }));
    expect(evaluate(statements, { action: 'ec2:CreateNetworkInterface', resource: '*' })).toBe('ALLOW');
    expect(evaluate(statements, { action: 'logs:CreateLogGroup', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:any' })).toBe('IMPLICIT_DENY');
    expect(evaluate(statements, { action: 'logs:PutLogEvents', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:any:log-stream:s' }))
      .toBe('IMPLICIT_DENY');
  });
});
