import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MAP_RUN_RESULTS_PREFIX } from './analyzer-branch';
import { STUDIES_PREFIX } from '../../shared/records';
import { acknowledgeWildcardResource, nagResourceString } from '../helpers/grants';

/** cdk-nag findings on the state machine's execution role that aws-cdk-lib's own grants cause. */
export function acknowledgeExecutionRoleFindings(stateMachine: sfn.StateMachine, derivedImagesBucket: s3.IBucket): void {
  const role = stateMachine.role;
  acknowledgeWildcardResource(role, derivedImagesBucket.arnForObjects(`${STUDIES_PREFIX}*`),
    "A large study's Distributed Maps read each analyzer's batches (a JSON array) at a key chosen at run time under the studies/ prefix of the de-identified derived-images bucket.");
  acknowledgeWildcardResource(role, derivedImagesBucket.arnForObjects(`${MAP_RUN_RESULTS_PREFIX}*`),
    `Distributed Map runs write their child results under ${MAP_RUN_RESULTS_PREFIX} (object names are chosen by Step Functions per map run).`);
  acknowledgeStateMachineRoleBaseline(stateMachine);
}

/**
 * The findings every library state machine with Lambda tasks and a Distributed
 * Map carries from aws-cdk-lib: the map's child-execution policy, X-Ray and
 * log delivery on `*`, the DefaultPolicy. (Its Lambda tasks name `$LATEST`, so
 * no function grant has a wildcard: see `taskTarget`.)
 */
export function acknowledgeStateMachineRoleBaseline(stateMachine: sfn.StateMachine): void {
  const role = stateMachine.role;
  const v = Validations.of(role);
  acknowledgeDistributedMapPolicy(stateMachine);
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (*LogDelivery*, *ResourcePolic*, DescribeLogGroups) use Resource "*": neither supports resource-level permissions.',
  });
  const inline =
    "The execution role's only inline policy is the DefaultPolicy aws-cdk-lib derives from the state machine's own tasks; it belongs to this role alone and lives and dies with the state machine.";
  v.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
  v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
}

/** aws-cdk-lib's separate policy that lets Distributed Maps run their child executions. */
function acknowledgeDistributedMapPolicy(stateMachine: sfn.StateMachine): void {
  const policy = stateMachine.node.tryFindChild('DistributedMapPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const v = Validations.of(policy);
  const children = 'A Distributed Map starts, describes and stops the child executions of its own map runs (execution:<state machine>[/<map run>]:*); Step Functions names them at run time, so no narrower ARN exists.';
  for (const resource of statementResources(policy).filter((r) => r.includes('*'))) {
    v.acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResourceString(policy, resource)}]`, reason: children });
  }
  const inline = 'aws-cdk-lib adds this policy for the Distributed Map states of this state machine alone; it lives and dies with the state machine.';
  v.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
  v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
}

interface StatementJson {
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function statementsOf(policy: iam.Policy): StatementJson[] {
  return (policy.document.toJSON() as { Statement?: StatementJson[] }).Statement ?? [];
}

function statementResources(policy: iam.Policy): string[] {
  return statementsOf(policy).flatMap((st) => list(st.Resource));
}
