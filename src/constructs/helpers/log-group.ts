import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from './pipeline-key';

export interface PhiProtectedLogGroupProps {
  readonly encryptionKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly retention?: logs.RetentionDays;
}

/**
 * A KMS-encrypted log group, retained on stack deletion, with a CloudWatch Logs
 * data-protection policy that masks personal identifiers should any slip into a
 * log line (defence in depth: handlers already log PHI-free fields only).
 */
export function createPhiProtectedLogGroup(scope: Construct, id: string, props: PhiProtectedLogGroupProps): logs.LogGroup {
  allowCloudWatchLogs(props.encryptionKey);
  return new logs.LogGroup(scope, id, {
    encryptionKey: props.encryptionKey,
    retention: props.retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    dataProtectionPolicy: new logs.DataProtectionPolicy({
      name: 'mask-personal-identifiers',
      description: 'Masks names, addresses, contact details and identifiers that must never be logged.',
      identifiers: [
        logs.DataIdentifier.NAME,
        logs.DataIdentifier.ADDRESS,
        logs.DataIdentifier.EMAILADDRESS,
        logs.DataIdentifier.PHONENUMBER_US,
        logs.DataIdentifier.SSN_US,
        logs.DataIdentifier.DRIVERSLICENSE_US,
        logs.DataIdentifier.HEALTHINSURANCECLAIMNUMBER_US,
        logs.DataIdentifier.NATIONALPROVIDERID_US,
      ],
    }),
  });
}
