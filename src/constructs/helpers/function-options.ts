import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Settings shared by every Lambda function a construct of this library creates.
 */
export interface PipelineFunctionOptions {
  /**
   * Lambda runtime.
   * @default - Node.js 24.x (the newest Node.js runtime in aws-cdk-lib)
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Instruction set architecture.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Reserve concurrency for each function, so one busy stage cannot starve the
   * account or the other stages. Turn off in accounts whose concurrency quota is
   * too low to reserve (new accounts often have 10).
   * @default true
   */
  readonly reservedConcurrencyEnabled?: boolean;

  /**
   * Reserved concurrent executions per function, when reservation is enabled.
   * @default - a per-function default sized for its stage (ingest 20, others 5-10)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * How long function logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * CloudWatch Logs data identifiers masked in every log group of the pipeline
   * on top of the library's list (`PhiLogProtection`, README "PHI in logs"),
   * e.g. a `logs.CustomDataIdentifier` for your hospital's accession numbers.
   * @default - the library's list only
   */
  readonly additionalLogDataIdentifiers?: logs.DataIdentifier[];

  /**
   * Place the functions in this VPC (private subnets).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets to use inside `vpc`.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}
