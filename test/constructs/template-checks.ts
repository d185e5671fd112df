/** Assertions shared by the construct tests; each fails with the offending logical ids. */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;

export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

const ENCRYPTION_PROPERTY: Record<string, (p: Record<string, any>) => unknown> = {
  'AWS::S3::Bucket': (p) => p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID,
  'AWS::DynamoDB::Table': (p) => p.SSESpecification?.KMSMasterKeyId,
  'AWS::SQS::Queue': (p) => p.KmsMasterKeyId,
  'AWS::SNS::Topic': (p) => p.KmsMasterKeyId,
  'AWS::Logs::LogGroup': (p) => p.KmsKeyId,
  'AWS::StepFunctions::StateMachine': (p) => p.EncryptionConfiguration?.KmsKeyId,
  'AWS::Events::EventBus': (p) => p.KmsKeyIdentifier,
  'AWS::SecretsManager::Secret': (p) => p.KmsKeyId,
  'AWS::Lambda::Function': (p) => p.KmsKeyArn,
};

/**
 * Every data-holding resource is encrypted with exactly `keyRef` (the key's
 * logical id, or an imported key ARN). `except` lists logical ids exempted on purpose.
 */
export function expectAllEncryptedWith(template: Template, keyRef: string, except: string[] = []): number {
  const wrong: string[] = [];
  let checked = 0;
  for (const [type, read] of Object.entries(ENCRYPTION_PROPERTY)) {
    for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
      if (except.includes(id)) continue;
      checked++;
      const value = JSON.stringify(read(resource.Properties ?? {}) ?? null);
      const matches = value === JSON.stringify({ 'Fn::GetAtt': [keyRef, 'Arn'] }) || value === JSON.stringify(keyRef);
      if (!matches) wrong.push(`${type} ${id}: ${value}`);
    }
  }
  expect(wrong).toEqual([]);
  return checked;
}

/** Every bucket blocks public access and has a policy denying requests without TLS. */
export function expectBucketsSecure(template: Template): void {
  const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));
  const problems: string[] = [];
  for (const [id, bucket] of Object.entries(resourcesOf(template, 'AWS::S3::Bucket'))) {
    const block = bucket.Properties?.PublicAccessBlockConfiguration as Record<string, boolean> | undefined;
    const blocksAll = !!block && ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => block[k] === true);
    if (!blocksAll) problems.push(`${id}: public access not fully blocked`);
    const deniesPlainHttp = policies.some((policy) => {
      const p = policy.Properties as Record<string, any>;
      if (JSON.stringify(p.Bucket) !== JSON.stringify({ Ref: id })) return false;
      return (p.PolicyDocument.Statement as Array<Record<string, any>>).some(
        (s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
    });
    if (!deniesPlainHttp) problems.push(`${id}: no TLS-only bucket policy`);
    if (bucket.DeletionPolicy !== 'Retain') problems.push(`${id}: not retained`);
  }
  expect(problems).toEqual([]);
}

/** Every queue has a redrive policy unless it is a dead-letter queue (of a queue, an EventBridge rule target or an SNS subscription). */
export function expectQueuesHaveDlq(template: Template): void {
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const ruleTargets = Object.values(resourcesOf(template, 'AWS::Events::Rule'))
    .flatMap((rule) => (rule.Properties?.Targets as Array<Record<string, any>> | undefined) ?? []);
  const dlqTargets = new Set([
    ...Object.values(queues).map((q) => (q.Properties?.RedrivePolicy as Record<string, any> | undefined)?.deadLetterTargetArn?.['Fn::GetAtt']?.[0]),
    ...ruleTargets.map((target) => target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0]),
    ...Object.values(resourcesOf(template, 'AWS::SNS::Subscription'))
      .map((subscription) => (subscription.Properties?.RedrivePolicy as Record<string, any> | undefined)?.deadLetterTargetArn?.['Fn::GetAtt']?.[0]),
  ].filter((x): x is string => !!x));
  const missing = Object.entries(queues)
    .filter(([id, q]) => !q.Properties?.RedrivePolicy && !dlqTargets.has(id))
    .map(([id]) => id);
  expect(missing).toEqual([]);
}

const POLICY_TYPES: Record<string, (p: Record<string, any>) => unknown[]> = {
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::Role': (p) => [p.AssumeRolePolicyDocument, ...((p.Policies as any[]) ?? []).map((x) => x.PolicyDocument)],
  'AWS::S3::BucketPolicy': (p) => [p.PolicyDocument],
  'AWS::SQS::QueuePolicy': (p) => [p.PolicyDocument],
  'AWS::SNS::TopicPolicy': (p) => [p.PolicyDocument],
  'AWS::Events::EventBusPolicy': (p) => [p.Statement ? { Statement: [p.Statement] } : undefined],
  'AWS::SecretsManager::ResourcePolicy': (p) => [p.ResourcePolicy],
};

/**
 * No Allow statement in any IAM or resource policy grants `*` or `service:*`.
 * (KMS key policies are left out on purpose: the account-root `kms:*`
 * statement is AWS's default key policy that delegates key access to IAM.)
 */
export function expectNoWildcardActions(template: Template): void {
  const offenders: string[] = [];
  for (const [type, documents] of Object.entries(POLICY_TYPES)) {
    for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
      for (const doc of documents(resource.Properties ?? {}) as Array<{ Statement?: Array<Record<string, any>> } | undefined>) {
        for (const statement of doc?.Statement ?? []) {
          if (statement.Effect !== 'Allow') continue;
          const actions = ([] as string[]).concat(statement.Action ?? []);
          for (const action of actions) {
            if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)) offenders.push(`${type} ${id}: ${action}`);
          }
        }
      }
    }
  }
  expect(offenders).toEqual([]);
}

export interface FunctionExpectations {
  readonly runtime?: string;
  readonly architecture?: string;
  readonly reservedConcurrency?: boolean;
}

/** Runtime, architecture, reserved concurrency, active tracing and a retained log group for every function. */
export function expectFunctionsHardened(template: Template, expected: FunctionExpectations = {}): number {
  const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
  const problems: string[] = [];
  const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'));
  for (const [id, fn] of functions) {
    const p = fn.Properties ?? {};
    if (p.Runtime !== (expected.runtime ?? 'nodejs24.x')) problems.push(`${id}: runtime ${p.Runtime}`);
    if (JSON.stringify(p.Architectures) !== JSON.stringify([expected.architecture ?? 'arm64'])) problems.push(`${id}: architectures ${JSON.stringify(p.Architectures)}`);
    const reserved = p.ReservedConcurrentExecutions;
    if ((expected.reservedConcurrency ?? true) ? typeof reserved !== 'number' : reserved !== undefined) problems.push(`${id}: reserved concurrency ${reserved}`);
    if ((p.TracingConfig as Record<string, string> | undefined)?.Mode !== 'Active') problems.push(`${id}: tracing not active`);
    const logGroupId = (p.LoggingConfig as Record<string, any> | undefined)?.LogGroup?.Ref as string | undefined;
    if (!logGroupId || typeof logGroups[logGroupId]?.Properties?.RetentionInDays !== 'number') problems.push(`${id}: no log group with retention`);
  }
  expect(problems).toEqual([]);
  return functions.length;
}

const RESOURCE_POLICY_DOCUMENTS: Record<string, (p: Record<string, any>) => unknown> = {
  'AWS::KMS::Key': (p) => p.KeyPolicy,
  'AWS::SQS::QueuePolicy': (p) => p.PolicyDocument,
  'AWS::SNS::TopicPolicy': (p) => p.PolicyDocument,
  'AWS::S3::BucketPolicy': (p) => p.PolicyDocument,
};

const SOURCE_ARN_OPERATORS = ['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'];

/**
 * Every Allow to a service principal in a key, queue, topic or bucket policy
 * names this account (`aws:SourceAccount`) and the source (`aws:SourceArn`).
 * Two documented equivalents: CloudWatch Logs, whose key use is bound to the log
 * group through `kms:EncryptionContext:aws:logs:arn` under this account's ARN;
 * and an `aws:SourceArn` that references a resource of this template (its ARN
 * carries this account), as aws-cdk-lib writes for rule-target dead-letter queues.
 */
export function expectServicePrincipalsConditioned(template: Template): void {
  const offenders: string[] = [];
  for (const [type, read] of Object.entries(RESOURCE_POLICY_DOCUMENTS)) {
    for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
      const doc = read(resource.Properties ?? {}) as { Statement?: Array<Record<string, any>> } | undefined;
      for (const statement of doc?.Statement ?? []) {
        if (statement.Effect !== 'Allow' || !statement.Principal?.Service) continue;
        const c = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
        const sourceArn = SOURCE_ARN_OPERATORS.map((op) => c[op]?.['aws:SourceArn']).find((v) => v !== undefined);
        const account = c.StringEquals?.['aws:SourceAccount'];
        const logsContext = c.ArnLike?.['kms:EncryptionContext:aws:logs:arn'] ?? c.ArnEquals?.['kms:EncryptionContext:aws:logs:arn'];
        const inTemplate = JSON.stringify(sourceArn ?? '').includes('Fn::GetAtt');
        const ok = (sourceArn !== undefined && (account !== undefined || inTemplate))
          || (logsContext !== undefined && JSON.stringify(logsContext).includes('AWS::AccountId'));
        if (!ok) offenders.push(`${type} ${id}: ${JSON.stringify(statement.Principal.Service)} ${JSON.stringify(statement.Action)}`);
      }
    }
  }
  expect(offenders).toEqual([]);
}

/**
 * Actions that AWS only authorizes on `Resource: "*"` (no resource-level
 * permissions, Service Authorization Reference), the one documented list of
 * wildcard resources the library accepts in identity policies.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = [
  // X-Ray active tracing (functions and state machines).
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  // Vended log delivery of a state machine to its (own, encrypted) log group.
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
  // Lambda ENIs of a function placed in a VPC (the actions of AWSLambdaVPCAccessExecutionRole minus its log writes).
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
  // Rekognition image analysis of bytes sent in the request (no Rekognition resource is involved).
  'rekognition:DetectLabels',
];

/** No identity-policy Allow names `Resource: "*"` for an action outside `ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS`. */
export function expectWildcardResourcesOnlyWhereRequired(template: Template): void {
  const offenders: string[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
      for (const statement of (resource.Properties as any).PolicyDocument.Statement as Array<Record<string, any>>) {
        if (statement.Effect !== 'Allow' || !([] as unknown[]).concat(statement.Resource).includes('*')) continue;
        for (const action of ([] as string[]).concat(statement.Action)) {
          if (!ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(action)) offenders.push(`${id}: ${action} on *`);
        }
      }
    }
  }
  expect(offenders).toEqual([]);
}

/** No Lambda function's role carries a managed policy (each writes only to its own log group through its inline policy). */
export function expectFunctionRolesWithoutManagedPolicies(template: Template): number {
  const roles = resourcesOf(template, 'AWS::IAM::Role');
  const functionRoles = Object.values(resourcesOf(template, 'AWS::Lambda::Function'))
    .map((fn) => (fn.Properties?.Role as any)?.['Fn::GetAtt']?.[0] as string | undefined)
    .filter((id): id is string => id !== undefined && roles[id] !== undefined);
  const withManaged = functionRoles.filter((id) => ((roles[id].Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).length > 0);
  expect(withManaged).toEqual([]);
  return functionRoles.length;
}
