import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { writeOnlyToOwnLogGroup } from './handler-function';
import { PHI_LOG_DATA_IDENTIFIERS, phiDataProtectionPolicy } from './log-group';

/**
 * The library's log hardening, for log groups and functions you create yourself
 * (e.g. the Lambda function of an `Analyzer.lambdaFunction`).
 */
export class PhiLogProtection {
  /**
   * The CloudWatch Logs data-protection policy every log group of the library
   * carries: names, dates of birth, medical record numbers, addresses, contact
   * details, health-insurance and national ids (README "PHI in logs").
   *
   * @param additionalIdentifiers identifiers masked on top of the library's list
   */
  public static dataProtectionPolicy(additionalIdentifiers?: logs.DataIdentifier[]): logs.DataProtectionPolicy {
    return phiDataProtectionPolicy(additionalIdentifiers);
  }

  /** Names of the data identifiers the library masks (managed and custom). */
  public static dataIdentifierNames(): string[] {
    return PHI_LOG_DATA_IDENTIFIERS.map((identifier) => identifier.name);
  }

  /**
   * Removes `AWSLambdaBasicExecutionRole` (log writes on `*`) from the function's
   * role and lets it write log streams of `logGroup` only.
   *
   * @param fn a function whose role aws-cdk-lib created
   * @param logGroup the function's own log group (its `logGroup` prop)
   */
  public static restrictFunctionToLogGroup(fn: lambda.Function, logGroup: logs.ILogGroup): void {
    writeOnlyToOwnLogGroup(fn, logGroup);
  }

  private constructor() {}
}
