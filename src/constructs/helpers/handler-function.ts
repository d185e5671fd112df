import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFunctionFindings, FunctionInvocation } from './function-acknowledgements';
import { PipelineFunctionOptions } from './function-options';
import { createPhiProtectedLogGroup } from './log-group';
import { pipelineMetricsService } from './pipeline-metrics';
import { METRICS_SERVICE_ENV } from '../../shared/metrics';

/** Newest Node.js runtime; named by id so older aws-cdk-lib peers still resolve it. */
export const DEFAULT_NODE_RUNTIME = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS, {
  supportsInlineCode: true,
});

/** Where projen's build bundles `src/runtime/handlers/<dir>/<name>.lambda.ts` (this file runs from lib/constructs/helpers/). */
const ASSETS_DIR = path.join(__dirname, '..', '..', '..', 'assets');

export interface HandlerFunctionProps {
  /** Bundle name: `<dir>/<name>.lambda`, e.g. `ingest/ingest.lambda`. */
  readonly bundle: string;
  readonly description: string;
  readonly encryptionKey: kms.IKey;
  readonly environment?: { [key: string]: string };
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /**
   * How the function is invoked; decides whether a function-level DLQ could matter.
   * @default FunctionInvocation.SYNCHRONOUS
   */
  readonly invocation?: FunctionInvocation;
  /** Reserved concurrency used when the options do not name one. */
  readonly defaultReservedConcurrency: number;
  readonly options?: PipelineFunctionOptions;
}

/**
 * A Lambda function with the library's defaults: newest Node.js on arm64, X-Ray
 * tracing, JSON logs into a KMS-encrypted, PHI-masking log group with retention,
 * encrypted environment, reserved concurrency, optional VPC placement.
 */
export function createHandlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): lambda.Function {
  const options = props.options ?? {};
  const logGroup = createPhiProtectedLogGroup(scope, `${id}Logs`, {
    encryptionKey: props.encryptionKey,
    retention: options.logRetention,
    additionalDataIdentifiers: options.additionalLogDataIdentifiers,
  });
  const reserve = options.reservedConcurrencyEnabled ?? true;
  const fn = new lambda.Function(scope, id, {
    description: props.description,
    code: lambda.Code.fromAsset(path.join(ASSETS_DIR, props.bundle)),
    handler: 'index.handler',
    runtime: options.runtime ?? DEFAULT_NODE_RUNTIME,
    architecture: options.architecture ?? lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.seconds(60),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    // The custom metrics' service dimension: the pipeline this function belongs to.
    environment: { NODE_OPTIONS: '--enable-source-maps', [METRICS_SERVICE_ENV]: pipelineMetricsService(scope), ...props.environment },
    environmentEncryption: props.encryptionKey,
    reservedConcurrentExecutions: reserve
      ? options.reservedConcurrentExecutions ?? props.defaultReservedConcurrency
      : undefined,
    vpc: options.vpc,
    vpcSubnets: options.vpc ? options.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
  });
  writeOnlyToOwnLogGroup(fn, logGroup);
  acknowledgeFunctionFindings(fn, options, props.invocation ?? FunctionInvocation.SYNCHRONOUS);
  return fn;
}

/** The ENI actions of `AWSLambdaVPCAccessExecutionRole`, without its log writes on `*`. */
export const VPC_ENI_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
];

/**
 * Replaces the managed policies aws-cdk-lib attaches to a function role
 * (`AWSLambdaBasicExecutionRole`, and `AWSLambdaVPCAccessExecutionRole` in a VPC,
 * both with logs:CreateLogGroup/CreateLogStream/PutLogEvents on `*`) with stream
 * writes to the function's own log group, plus the VPC policy's ENI actions
 * inline. The group is a resource of the stack that the function references,
 * so it exists before the function first logs.
 */
export function writeOnlyToOwnLogGroup(fn: lambda.Function, logGroup: logs.ILogGroup): void {
  const role = fn.role?.node.defaultChild;
  if (!(role instanceof iam.CfnRole)) return;
  const stack = fn.stack;
  const arnOf = (name: string) => JSON.stringify(stack.resolve(iam.ManagedPolicy.fromAwsManagedPolicyName(name).managedPolicyArn));
  const basic = arnOf('service-role/AWSLambdaBasicExecutionRole');
  const vpc = arnOf('service-role/AWSLambdaVPCAccessExecutionRole');
  // Resolved now: every managed policy aws-cdk-lib adds is attached in the Function constructor.
  const arns = ((stack.resolve(role.managedPolicyArns) as string[] | undefined) ?? []).map((arn) => [arn, JSON.stringify(arn)] as const);
  const kept = arns.filter(([, json]) => json !== basic && json !== vpc).map(([arn]) => arn);
  role.managedPolicyArns = kept.length > 0 ? kept : undefined;
  if (arns.some(([, json]) => json === vpc)) {
    // EC2 authorizes DescribeNetworkInterfaces/DescribeSubnets on "*" only, and Lambda names the ENIs itself.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...VPC_ENI_ACTIONS], resources: ['*'] }));
  }
  logGroup.grantWrite(fn);
}
