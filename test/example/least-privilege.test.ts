import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/app';
import {
  expectFunctionRolesWithoutManagedPolicies,
  expectServicePrincipalsConditioned,
  expectWildcardResourcesOnlyWhereRequired,
} from '../constructs/template-checks';
import { evaluate, PolicyRequest, PolicyStatementJson, Pseudo, resolveIntrinsics } from '../support/policy-evaluator';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const template = Template.fromStack(buildExampleApp(new App()).stack);
const resources = template.toJSON().Resources as Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Every log group's ARN as CloudFormation returns it (`...:log-group:<name>:*`), named after its logical id. */
const physical: Record<string, string> = Object.fromEntries(
  ofType('AWS::Logs::LogGroup').map(([id]) => [`${id}.Arn`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`]),
);
const [keyId] = ofType('AWS::KMS::Key').map(([id]) => id);
physical[`${keyId}.Arn`] = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const pseudo: Pseudo = { partition: 'aws', region: REGION, account: ACCOUNT, physical };
const keyArn = physical[`${keyId}.Arn`];

function statements(document: { Statement: PolicyStatementJson[] }): PolicyStatementJson[] {
  return resolveIntrinsics(document, pseudo).Statement;
}
const keyPolicy = statements(resources[keyId].Properties.KeyPolicy);

/** The inline policies attached to a role (by its logical id). */
function rolePolicy(roleId: string): PolicyStatementJson[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => statements(p.Properties.PolicyDocument));
}

/** A service's request to the key on behalf of a source resource. */
function serviceKeyRequest(service: string, sourceArn: string, account = ACCOUNT, action = 'kms:GenerateDataKey'): PolicyRequest {
  return { principal: service, action, resource: keyArn, context: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn } };
}

function ruleArn(logicalIdPrefix: string): string {
  const [, rule] = ofType('AWS::Events::Rule').find(([id]) => id.startsWith(logicalIdPrefix))!;
  expect(typeof rule.Properties.Name).toBe('string');
  return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${rule.Properties.Name}`;
}

describe('least privilege in the example template', () => {
  test('every service principal in a key, queue, topic or bucket policy is conditioned on this account and its source', () => {
    expectServicePrincipalsConditioned(template);
  });

  test('identity policies use Resource "*" only for actions without resource-level permissions', () => {
    expectWildcardResourcesOnlyWhereRequired(template);
  });

  test('every log group, the example analyzer\'s too, masks PHI with the library\'s data-protection policy', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    const unprotected = groups.filter(([, g]) => !JSON.stringify(g.Properties.DataProtectionPolicy ?? {}).includes('DateOfBirth')).map(([id]) => id);
    expect(unprotected).toEqual([]);
    expect(groups.map(([id]) => id)).toContainEqual(expect.stringMatching(/^ResolutionCheckLogs/));
  });

  test('no function role carries a managed policy', () => {
    expect(expectFunctionRolesWithoutManagedPolicies(template)).toBe(ofType('AWS::Lambda::Function').length);
  });

  test('each function writes only to its own log group, which it references (so the group exists first)', () => {
    const functions = ofType('AWS::Lambda::Function');
    const logGroups = ofType('AWS::Logs::LogGroup').map(([id]) => id);
    for (const [id, fn] of functions) {
      const own = fn.Properties.LoggingConfig?.LogGroup?.Ref as string;
      expect({ id, own: logGroups.includes(own) }).toEqual({ id, own: true });
      const policy = rolePolicy(fn.Properties.Role['Fn::GetAtt'][0]);
      const put = (group: string): PolicyRequest => ({ action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:s` });
      expect({ id, decision: evaluate(policy, put(own)) }).toEqual({ id, decision: 'ALLOW' });
      const other = logGroups.find((g) => g !== own)!;
      expect({ id, decision: evaluate(policy, put(other)) }).toEqual({ id, decision: 'IMPLICIT_DENY' });
      expect({ id, decision: evaluate(policy, { action: 'logs:CreateLogGroup', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:x` }) })
        .toEqual({ id, decision: 'IMPLICIT_DENY' });
    }
  });

  test('EventBridge may use the key and send to the ingest queue only for the ingest rule of this account', () => {
    const ingestRule = ruleArn('PipelineIngestObjectCreatedRule');
    const otherRule = `arn:aws:events:${REGION}:${ACCOUNT}:rule/forged`;
    expect(evaluate(keyPolicy, serviceKeyRequest('events.amazonaws.com', ingestRule))).toBe('ALLOW');
    expect(evaluate(keyPolicy, serviceKeyRequest('events.amazonaws.com', otherRule))).toBe('IMPLICIT_DENY');
    expect(evaluate(keyPolicy, serviceKeyRequest('events.amazonaws.com', ingestRule.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT))).toBe('IMPLICIT_DENY');
    expect(evaluate(keyPolicy, serviceKeyRequest('events.amazonaws.com', ingestRule, ACCOUNT, 'kms:ReEncryptFrom'))).toBe('IMPLICIT_DENY');

    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(([id]) => id.startsWith('PipelineIngestIngestQueuePolicy'))!;
    const queue = statements(queuePolicy.Properties.PolicyDocument);
    const send = (sourceArn: string): PolicyRequest => ({
      principal: 'events.amazonaws.com',
      action: 'sqs:SendMessage',
      resource: `<${queuePolicy.Properties.Queues[0].Ref}.Arn>`,
      context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': sourceArn, 'aws:SecureTransport': 'true' },
    });
    expect(evaluate(queue, send(ingestRule))).toBe('ALLOW');
    expect(evaluate(queue, send(otherRule))).toBe('IMPLICIT_DENY');
  });

  test('the execution-ended rule may use the key for its dead-letter queue; CloudWatch alarms and log delivery only from this account', () => {
    expect(evaluate(keyPolicy, serviceKeyRequest('events.amazonaws.com', ruleArn('PipelineWorkflowExecutionEndedRule')))).toBe('ALLOW');
    const alarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:MedicalImagingPipelineExample-DeadLetterQueueAlarm-1`;
    expect(evaluate(keyPolicy, serviceKeyRequest('cloudwatch.amazonaws.com', alarm))).toBe('ALLOW');
    expect(evaluate(keyPolicy, serviceKeyRequest('cloudwatch.amazonaws.com', alarm.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT))).toBe('IMPLICIT_DENY');
    expect(evaluate(keyPolicy, serviceKeyRequest('cloudwatch.amazonaws.com', alarm, OTHER_ACCOUNT))).toBe('IMPLICIT_DENY');

    const delivery = `arn:aws:logs:${REGION}:${ACCOUNT}:delivery-source:workflow`;
    expect(evaluate(keyPolicy, serviceKeyRequest('delivery.logs.amazonaws.com', delivery, ACCOUNT, 'kms:Decrypt'))).toBe('ALLOW');
    expect(evaluate(keyPolicy, serviceKeyRequest('delivery.logs.amazonaws.com', delivery.replace(ACCOUNT, OTHER_ACCOUNT), OTHER_ACCOUNT, 'kms:Decrypt')))
      .toBe('IMPLICIT_DENY');
  });

  test("CloudWatch Logs may use the key only for this account's log groups", () => {
    const logs = `logs.${REGION}.amazonaws.com`;
    const request = (group: string): PolicyRequest => ({
      principal: logs, action: 'kms:GenerateDataKey', resource: keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': group },
    });
    expect(evaluate(keyPolicy, request(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:any`))).toBe('ALLOW');
    expect(evaluate(keyPolicy, request(`arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:any`))).toBe('IMPLICIT_DENY');
  });

  test("each state machine role's KMS conditions match its own state machine and log delivery, and nothing else", () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThanOrEqual(1);
    for (const [id, machine] of machines) {
      const name = machine.Properties.StateMachineName as string;
      expect({ id, named: typeof name === 'string' && name.length > 0 }).toEqual({ id, named: true });
      const policy = rolePolicy(machine.Properties.RoleArn['Fn::GetAtt'][0]);
      const ownArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      const data = (arn: string): PolicyRequest => ({
        action: 'kms:GenerateDataKey', resource: keyArn, context: { 'kms:EncryptionContext:aws:states:stateMachineArn': arn },
      });
      expect({ id, decision: evaluate(policy, data(ownArn)) }).toEqual({ id, decision: 'ALLOW' });
      expect({ id, decision: evaluate(policy, { ...data(ownArn), action: 'kms:Decrypt' }) }).toEqual({ id, decision: 'ALLOW' });
      expect({ id, decision: evaluate(policy, data(`${ownArn}-other`)) }).toEqual({ id, decision: 'IMPLICIT_DENY' });

      const logKey = (sourceArn: string): PolicyRequest => ({
        action: 'kms:GenerateDataKey', resource: keyArn, context: { 'kms:EncryptionContext:SourceArn': sourceArn },
      });
      expect({ id, decision: evaluate(policy, logKey(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:x:*`)) }).toEqual({ id, decision: 'ALLOW' });
      expect({ id, decision: evaluate(policy, logKey(`arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:x:*`)) }).toEqual({ id, decision: 'IMPLICIT_DENY' });
    }
  });

  test('state machine roles may invoke only the $LATEST version their tasks name, not every version and alias', () => {
    for (const [id, machine] of ofType('AWS::StepFunctions::StateMachine')) {
      const policy = rolePolicy(machine.Properties.RoleArn['Fn::GetAtt'][0]);
      const granted = policy
        .filter((st) => ([] as string[]).concat(st.Action ?? []).includes('lambda:InvokeFunction'))
        .flatMap((st) => ([] as string[]).concat(st.Resource ?? []));
      expect({ id, some: granted.length > 0 }).toEqual({ id, some: true });
      for (const latest of granted) {
        expect(latest).toMatch(/^<[A-Za-z0-9]+\.Arn>:\$LATEST$/);
        const fn = latest.slice(0, -':$LATEST'.length);
        const invoke = (resource: string) => evaluate(policy, { action: 'lambda:InvokeFunction', resource });
        expect({ latest, decision: invoke(latest) }).toEqual({ latest, decision: 'ALLOW' });
        for (const other of [`${fn}:7`, `${fn}:live`, `${fn}-other:$LATEST`]) {
          expect({ other, decision: invoke(other) }).toEqual({ other, decision: 'IMPLICIT_DENY' });
        }
      }
      // ...and the definition names exactly those: every Lambda task's function is qualified with $LATEST.
      const definition = JSON.stringify(resolveIntrinsics(machine.Properties.DefinitionString, pseudo));
      const named = [...definition.matchAll(/<([A-Za-z0-9]+)\.Arn>(:\$LATEST)?/g)]
        .filter(([, ref]) => resources[ref]?.Type === 'AWS::Lambda::Function');
      expect({ id, unqualified: named.filter(([, , latest]) => latest === undefined).map(([ref]) => ref) }).toEqual({ id, unqualified: [] });
    }
  });

  test('a function an EventBridge rule invokes sends the events it fails to the rule target\'s encrypted dead-letter queue', () => {
    const ruleTargets = ofType('AWS::Events::Rule')
      .filter(([, rule]) => rule.Properties.ScheduleExpression === undefined)
      .flatMap(([, rule]) => rule.Properties.Targets as Array<{ Arn: any; DeadLetterConfig?: { Arn: any } }>)
      .filter((target) => resources[target.Arn['Fn::GetAtt']?.[0]]?.Type === 'AWS::Lambda::Function');
    expect(ruleTargets.length).toBeGreaterThanOrEqual(2);
    for (const target of ruleTargets) {
      const fnId = target.Arn['Fn::GetAtt'][0] as string;
      const fn = resources[fnId].Properties;
      const queueId = target.DeadLetterConfig?.Arn['Fn::GetAtt'][0] as string;
      expect({ fnId, queue: resources[queueId]?.Type }).toEqual({ fnId, queue: 'AWS::SQS::Queue' });
      expect({ fnId, functionDlq: fn.DeadLetterConfig?.TargetArn }).toEqual({ fnId, functionDlq: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      expect(resources[queueId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      const policy = rolePolicy(fn.Role['Fn::GetAtt'][0]);
      expect({ fnId, send: evaluate(policy, { action: 'sqs:SendMessage', resource: `<${queueId}.Arn>` }) }).toEqual({ fnId, send: 'ALLOW' });
      const viaSqs = { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` };
      expect(evaluate(policy, { action: 'kms:GenerateDataKey', resource: keyArn, context: viaSqs })).toBe('ALLOW');
      expect(evaluate(policy, { action: 'kms:GenerateDataKey', resource: keyArn, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } }))
        .not.toBe('ALLOW');
    }
  });
});
