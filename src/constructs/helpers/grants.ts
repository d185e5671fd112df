import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';

/** What a principal does with data encrypted under a key, through one service. */
export enum KeyUse {
  /** kms:Decrypt */
  DECRYPT = 'DECRYPT',
  /** kms:Decrypt + kms:GenerateDataKey (S3 multipart uploads decrypt too) */
  ENCRYPT_DECRYPT = 'ENCRYPT_DECRYPT',
}

/**
 * Grants the minimal KMS actions on `key`, only when used through `service`
 * (kms:ViaService), so a grant for S3 cannot decrypt DynamoDB data and vice versa.
 */
export function grantKeyViaService(grantee: iam.IGrantable, key: kms.IKey | undefined, service: string, use: KeyUse): void {
  if (!key) return;
  const stack = Stack.of(key);
  const actions = use === KeyUse.DECRYPT ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'];
  iam.Grant.addToPrincipal({
    grantee,
    actions: [...actions, 'kms:DescribeKey'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } },
  });
}

/**
 * Grants object actions under one key prefix of a bucket and acknowledges the
 * resulting `AwsSolutions-IAM5[Resource::<bucket>/<prefix>*]` finding on the
 * grantee (the wildcard is the prefix itself, not a broader grant).
 */
export function grantObjectPrefix(
  grantee: iam.IGrantable,
  bucketArn: string,
  prefix: string,
  actions: string[],
  why: string,
): iam.Grant {
  const resource = `${bucketArn}/${prefix}*`;
  const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [resource] });
  acknowledgeWildcardResource(grantee, resource, `Object-level access limited to the "${prefix}" key prefix: ${why}`);
  return grant;
}

/** Acknowledges IAM5 for one exact wildcard resource on the grantee's principal. */
export function acknowledgeWildcardResource(grantee: iam.IGrantable, resource: string, reason: string): void {
  const principal = grantee.grantPrincipal as unknown as IConstruct;
  if (!Construct.isConstruct(principal)) return;
  Validations.of(principal).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResourceString(principal, resource)}]`,
    reason,
  });
}

/** Renders an ARN the way cdk-nag names it in a finding id (`<LogicalId.Arn>/prefix/*`). */
export function nagResourceString(scope: IConstruct, arn: string): string {
  if (!Token.isUnresolved(arn)) return arn;
  return flatten(Stack.of(scope).resolve(arn));
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref !== undefined) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}
