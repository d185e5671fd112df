import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildIngestQuarantineIntegApp } from './integ.ingest-quarantine';

// The integ test only runs against AWS (integ-runner); here we make sure it
// synthesizes, and that its assertion stack makes the calls it relies on.
test('the ingest quarantine integ test synthesizes its stack and its assertions', () => {
  const stacks = buildIngestQuarantineIntegApp().node.findAll().filter(Stack.isStack);
  expect(stacks.map((s) => s.stackName)).toContain('MedicalImagingPipelineIngestInteg');
  const assertStack = stacks.find((s) => s.node.path.includes('DeployAssert'));
  expect(assertStack).toBeDefined();
  const calls = JSON.stringify(Template.fromStack(assertStack!).toJSON());
  for (const api of ['"putObject"', '"query"', '"listObjectsV2"', 'UNSUPPORTED_FORMAT']) expect(calls).toContain(api);
});
