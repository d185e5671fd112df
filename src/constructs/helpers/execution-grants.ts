import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeWildcardResource } from './grants';

/** states:DescribeExecution on this state machine's executions only (`execution:<name>:*`). */
export function grantDescribeExecutions(grantee: iam.IGrantable, stateMachine: sfn.IStateMachine): iam.Grant {
  const executions = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  acknowledgeWildcardResource(grantee, executions, 'Executions of the one analysis state machine (execution:<name>:*): execution names are per study version, so no narrower ARN exists in advance.');
  return iam.Grant.addToPrincipal({ grantee, actions: ['states:DescribeExecution'], resourceArns: [executions] });
}
