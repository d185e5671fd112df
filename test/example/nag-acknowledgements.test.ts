import { countAcknowledgements, ruleOf, shareOfFunctions } from '../../scripts/nag-acknowledgements';

test('a finding id names its rule without the finding part', () => {
  expect(ruleOf('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:*:function:x:*]')).toBe('AwsSolutions-IAM5');
  expect(ruleOf('HIPAA.Security-LambdaDLQ')).toBe('HIPAA.Security-LambdaDLQ');
});

test('acknowledgements are counted per placement, per distinct finding id and per rule, with each reason tallied', () => {
  const xray = 'Only the X-Ray actions use Resource "*": X-Ray has no resource-level permissions.';
  const dlq = 'Invoked synchronously by the workflow, which retries it; a DLQ would never receive an event.';
  const count = countAcknowledgements([
    { path: 'S/A/Role', id: 'AwsSolutions-IAM5[Resource::*]', reason: xray },
    { path: 'S/B/Role', id: 'AwsSolutions-IAM5[Resource::*]', reason: xray },
    { path: 'S/B/Role', id: 'AwsSolutions-IAM5[Resource::arn:fn:*]', reason: 'LambdaInvoke also grants versions and aliases.' },
    { path: 'S/A/Fn', id: 'HIPAA.Security-LambdaDLQ', reason: dlq },
    { path: 'S/A/Fn', id: 'NIST.800.53.R5-LambdaDLQ', reason: dlq },
  ]);
  expect(count).toEqual({
    placements: 5,
    findings: 4,
    rules: 3,
    byPack: { 'AwsSolutions': 3, 'HIPAA.Security': 1, 'NIST.800.53.R5': 1 },
    byRule: {
      'AwsSolutions-IAM5': { placements: 3, reasons: { [xray]: 2, 'LambdaInvoke also grants versions and aliases.': 1 } },
      'HIPAA.Security-LambdaDLQ': { placements: 1, reasons: { [dlq]: 1 } },
      'NIST.800.53.R5-LambdaDLQ': { placements: 1, reasons: { [dlq]: 1 } },
    },
  });
});

test('placements are split into those on each function (itself, its role, its policy) and the rest', () => {
  const ack = (path: string) => ({ path, id: 'HIPAA.Security-LambdaDLQ', reason: 'r' });
  const acks = [ack('S/A'), ack('S/A/ServiceRole'), ack('S/A/ServiceRole/DefaultPolicy'), ack('S/B'), ack('S/AB'), ack('S/Bucket')];
  expect(shareOfFunctions(acks, ['S/A', 'S/B', 'S/C'])).toEqual({
    onFunctions: 4,
    elsewhere: 2, // 'S/AB' is not under 'S/A'
    perFunction: { min: 0, median: 1, max: 3 },
  });
});
