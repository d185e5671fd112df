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
 * Lets an AWS service principal use the key for requests made on behalf of
 * this account by the given source resources only (`aws:SourceAccount` and
 * `aws:SourceArn`), so no other account's resource can use the service as a
 * confused deputy. No-op for imported keys.
 */
export function allowServiceToUseKey(key: kms.IKey, service: string, sid: string, sourceArn: string): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': sourceArn },
      },
    }),
  );
}

/**
 * A view of `key` for aws-cdk-lib constructs that add an unconditioned
 * `delivery.logs.amazonaws.com` statement to the key policy (a state machine
 * logging to an encrypted log group): the statement is limited to log
 * deliveries of this account's log groups before it is added.
 */
export function keyWithConditionedLogDelivery(key: kms.IKey): kms.IKey {
  const stack = Stack.of(key);
  const addToResourcePolicy = (statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult => {
    const principals = JSON.stringify(statement.toStatementJson().Principal ?? {});
    if (principals.includes('delivery.logs.amazonaws.com') && Object.keys(statement.conditions ?? {}).length === 0) {
      statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
      statement.addCondition('ArnLike', { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` });
    }
    return key.addToResourcePolicy(statement, allowNoOp);
  };
  return new Proxy(key, {
    get: (target, property, receiver) => (property === 'addToResourcePolicy' ? addToResourcePolicy : Reflect.get(target, property, receiver)),
  });
}
