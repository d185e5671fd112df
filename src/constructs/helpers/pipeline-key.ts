import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer-managed key with yearly rotation, retained on stack deletion
 * (data encrypted with it outlives the stack).
 */
export function createPipelineKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return key;
}

/** Keys whose policy already lets CloudWatch Logs use them. */
const keysOpenToLogs = new WeakSet<kms.IKey>();

/**
 * Lets CloudWatch Logs encrypt this account's log groups with the key. Called for
 * every log group, so a bring-your-own key created in the same app gets the
 * statement too; once per key; no-op for imported keys (their owner grants it).
 */
export function allowCloudWatchLogs(key: kms.IKey): void {
  if (keysOpenToLogs.has(key)) return;
  keysOpenToLogs.add(key);
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForThisAccountLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
}

/**
 * Lets an AWS service principal use the key on behalf of this account only
 * (e.g. CloudWatch alarms publishing to an encrypted topic). No-op for imported keys.
 */
export function allowServiceToUseKey(key: kms.IKey, service: string, sid: string): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
}
