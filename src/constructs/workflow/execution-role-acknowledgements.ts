import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResource } from '../helpers/grants';

/** cdk-nag findings on the state machine's execution role that aws-cdk-lib's own grants cause. */
export function acknowledgeExecutionRoleFindings(role: iam.IRole): void {
  const v = Validations.of(role);
  for (const resource of invokedFunctionWildcards(role)) {
    acknowledgeWildcardResource(role, resource,
      "LambdaInvoke also grants the function's versions and aliases (<function ARN>:*); the wildcard reaches no other function.");
  }
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (*LogDelivery*, *ResourcePolic*, DescribeLogGroups) use Resource "*": neither supports resource-level permissions.',
  });
  const inline =
    "The execution role's only inline policy is the DefaultPolicy aws-cdk-lib derives from the state machine's own tasks; it belongs to this role alone and lives and dies with the state machine.";
  v.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
  v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
}

interface StatementJson {
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
}

/** The `<function ARN>:*` resources LambdaInvoke put on the role (step and analyzer functions). */
function invokedFunctionWildcards(role: iam.IRole): string[] {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return [];
  const statements = (policy.document.toJSON() as { Statement?: StatementJson[] }).Statement ?? [];
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return statements
    .filter((st) => list(st.Action).includes('lambda:InvokeFunction'))
    .flatMap((st) => list(st.Resource))
    .filter((r) => r.endsWith(':*'));
}
