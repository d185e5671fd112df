import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { PipelineFunctionOptions } from './function-options';

/** How a library function is invoked. */
export enum FunctionInvocation {
  /** By Step Functions or an SQS event source (whose queue has its own DLQ). */
  SYNCHRONOUS = 'SYNCHRONOUS',
  /** By an EventBridge schedule; the next run repeats an idempotent job. */
  SCHEDULE = 'SCHEDULE',
  /**
   * By an EventBridge rule, asynchronously: `routeRuleToFunction` gives the
   * function a dead-letter queue (shared with the rule target), so nothing is acknowledged.
   */
  EVENT_RULE = 'EVENT_RULE',
  /** By API Gateway (Lambda proxy integration); the caller gets the error response. */
  API_REQUEST = 'API_REQUEST',
}

const DLQ_REASONS: Record<FunctionInvocation, string | undefined> = {
  [FunctionInvocation.SYNCHRONOUS]:
    'Invoked synchronously (by Step Functions, or by an SQS event source whose queue has its own dead-letter queue), so a function-level DLQ would never receive a failed event.',
  [FunctionInvocation.SCHEDULE]:
    'Invoked by a schedule to run an idempotent sweep: a failed run is repeated by the next scheduled run, so a DLQ would only hold empty timer events with nothing to replay.',
  [FunctionInvocation.EVENT_RULE]: undefined,
  [FunctionInvocation.API_REQUEST]:
    'Invoked synchronously by API Gateway (Lambda proxy integration): a failure is returned to the caller as an error response, who repeats the request; a function-level DLQ would never receive an event.',
};

/**
 * Acknowledges, on the function and its role, the findings that follow from the
 * library's deliberate defaults; each reason says why.
 */
export function acknowledgeFunctionFindings(
  fn: lambda.Function,
  options: PipelineFunctionOptions,
  invocation: FunctionInvocation,
): void {
  const v = Validations.of(fn);
  const dlq = DLQ_REASONS[invocation];
  if (dlq !== undefined) {
    v.acknowledge({ id: 'HIPAA.Security-LambdaDLQ', reason: dlq });
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: dlq });
  }
  if (!options.vpc) {
    const vpc =
      'VPC placement is optional (PipelineFunctionOptions.vpc): the function only calls AWS service endpoints over TLS with IAM auth; accounts that require VPC isolation pass a VPC.';
    v.acknowledge({ id: 'HIPAA.Security-LambdaInsideVPC', reason: vpc });
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaInsideVPC', reason: vpc });
  }
  if (options.reservedConcurrencyEnabled === false) {
    const concurrency =
      'Reserved concurrency was turned off by the deployer (PipelineFunctionOptions.reservedConcurrencyEnabled) because the account quota is too low to reserve.';
    v.acknowledge({ id: 'HIPAA.Security-LambdaConcurrency', reason: concurrency });
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaConcurrency', reason: concurrency });
  }
  acknowledgeRoleBaseline(fn, options.vpc !== undefined);
}

/**
 * The role findings every function carries from aws-cdk-lib's defaults
 * (X-Ray `Resource::*`, the DefaultPolicy); the basic-execution managed policy is
 * replaced by writes to the function's own log group (`writeOnlyToOwnLogGroup`).
 */
function acknowledgeRoleBaseline(fn: IConstruct, inVpc: boolean): void {
  const role = fn.node.tryFindChild('ServiceRole');
  if (!role) return;
  const v = Validations.of(role);
  const eni = inVpc
    ? ' In a VPC, the ENI actions Lambda needs (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DescribeSubnets, DeleteNetworkInterface, '
      + 'Assign/UnassignPrivateIpAddresses) use it too: the Describe actions have no resource-level permissions and Lambda creates the ENIs itself.'
    : '';
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords use Resource "*": X-Ray does not support resource-level permissions for these actions (active tracing is required).'
      + eni,
  });
  const inline =
    "The role's only inline policy is the DefaultPolicy aws-cdk-lib builds from this library's least-privilege grants; it belongs to this one role and is deployed and deleted with the function, so a separate managed policy would add no control.";
  v.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
  v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
}
