import { conditionsHold, evaluate, PolicyStatementJson, resolveIntrinsics, wildcardMatch } from '../support/policy-evaluator';

const ACCOUNT = '111111111111';
const RULE = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/ingest`;

describe('policy evaluator (test support)', () => {
  test('wildcards: * spans any run, ? one character, anything else is literal', () => {
    expect(wildcardMatch('arn:aws:s3:::b/incoming/*', 'arn:aws:s3:::b/incoming/a/b.dcm')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::b/incoming/*', 'arn:aws:s3:::b/quarantine/a')).toBe(false);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a?c', 'abbc')).toBe(false);
    expect(wildcardMatch('a.c', 'abc')).toBe(false);
  });

  test('StringEquals takes * literally; StringLike and ArnLike expand it', () => {
    const context = { 'kms:EncryptionContext:SourceArn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x` };
    const pattern = `arn:aws:logs:eu-west-1:${ACCOUNT}:*`;
    expect(conditionsHold({ StringEquals: { 'kms:EncryptionContext:SourceArn': pattern } }, context)).toBe(false);
    expect(conditionsHold({ StringLike: { 'kms:EncryptionContext:SourceArn': pattern } }, context)).toBe(true);
    expect(conditionsHold({ ArnLike: { 'kms:EncryptionContext:SourceArn': pattern } }, context)).toBe(true);
    expect(conditionsHold({ ArnEquals: { 'kms:EncryptionContext:SourceArn': pattern } }, context)).toBe(false);
  });

  test('ArnLike compares part by part: a wildcard does not cross into the account', () => {
    expect(conditionsHold({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:*:rule/ingest' } }, { 'aws:SourceArn': RULE })).toBe(true);
    expect(conditionsHold({ ArnLike: { 'aws:SourceArn': `arn:aws:events:*:${ACCOUNT}:rule/*` } }, { 'aws:SourceArn': 'arn:aws:events:eu-west-1:222222222222:rule/ingest' })).toBe(false);
  });

  test('every key must hold; a missing key fails except with IfExists or a negated operator; key names are case-insensitive', () => {
    const both = { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnEquals: { 'aws:SourceArn': RULE } };
    expect(conditionsHold(both, { 'aws:sourceaccount': ACCOUNT, 'aws:SourceArn': RULE })).toBe(true);
    expect(conditionsHold(both, { 'aws:SourceAccount': ACCOUNT })).toBe(false);
    expect(conditionsHold({ StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } }, {})).toBe(true);
    expect(conditionsHold({ StringNotEquals: { 'aws:SourceAccount': ACCOUNT } }, {})).toBe(true);
    expect(conditionsHold({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(() => conditionsHold({ NumericLessThan: { 'a:b': '1' } }, {})).toThrow(/unsupported/);
  });

  test('an explicit Deny beats an Allow; no Allow is an implicit deny; the principal and action must match', () => {
    const statements: PolicyStatementJson[] = [
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': RULE } } },
      { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ];
    const request = { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:1:q' };
    expect(evaluate(statements, { ...request, context: { 'aws:SourceArn': RULE, 'aws:SecureTransport': 'true' } })).toBe('ALLOW');
    expect(evaluate(statements, { ...request, context: { 'aws:SourceArn': RULE, 'aws:SecureTransport': 'false' } })).toBe('EXPLICIT_DENY');
    expect(evaluate(statements, { ...request, context: { 'aws:SourceArn': `${RULE}-other`, 'aws:SecureTransport': 'true' } })).toBe('IMPLICIT_DENY');
    expect(evaluate(statements, { ...request, principal: 'sns.amazonaws.com', context: { 'aws:SourceArn': RULE } })).toBe('IMPLICIT_DENY');
    expect(evaluate(statements, { ...request, action: 'sqs:PurgeQueue', context: { 'aws:SourceArn': RULE } })).toBe('IMPLICIT_DENY');
  });

  test('resolves Ref, Fn::GetAtt and Fn::Join into concrete strings', () => {
    const resolved = resolveIntrinsics({ a: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { 'Fn::GetAtt': ['Q', 'QueueName'] }]] } },
      { partition: 'aws', region: 'eu-west-1', account: ACCOUNT, physical: { 'Q.QueueName': 'ingest' } });
    expect(resolved).toEqual({ a: `arn:aws:sqs:eu-west-1:${ACCOUNT}:ingest` });
  });
});
