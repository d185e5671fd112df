import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IBucket } from 'aws-cdk-lib/aws-s3';
import { CHECKED_MAJORS, relabelAssembly, RUNNER_SCHEMA_VERSION } from './integ-schema';
import { ExampleStack } from './integ-support';
import { buildExampleReportIntegApp } from './integ.example-report';
import { buildIngestQuarantineIntegApp } from './integ.ingest-quarantine';

// The integ tests only run against AWS (integ-runner); here we make sure they
// synthesize, and that their assertion stacks make the calls they rely on with
// the permissions those calls need. (`npx projen integ:snapshot` compares them with the snapshots.)

function stacksOf(app: ReturnType<typeof buildExampleReportIntegApp>): Stack[] {
  return app.node.findAll().filter(Stack.isStack);
}

/** Every IAM statement of the assertion stack's roles and policies. */
function statements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: { Policies?: Array<{ PolicyDocument: { Statement: [] } }> } }>;
  return roles.flatMap((r) => (r.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement));
}

test('the ingest quarantine integ test synthesizes its stack and its assertions', () => {
  const stacks = stacksOf(buildIngestQuarantineIntegApp());
  expect(stacks.map((s) => s.stackName)).toContain('MedicalImagingPipelineIngestInteg');
  const assertStack = stacks.find((s) => s.node.path.includes('DeployAssert'));
  expect(assertStack).toBeDefined();
  const calls = JSON.stringify(Template.fromStack(assertStack!).toJSON());
  for (const api of ['"putObject"', '"query"', '"listObjectsV2"', 'UNSUPPORTED_FORMAT']) expect(calls).toContain(api);
});

// One synth of the example app serves every test below (it takes a while).
const exampleApp = buildExampleReportIntegApp();
const exampleAssembly = exampleApp.synth();

describe('the example report integ test', () => {
  const stacks = stacksOf(exampleApp);
  const example = stacks.find((s) => s.stackName === 'MedicalImagingPipelineExampleInteg') as ExampleStack;
  const assertions = Template.fromStack(stacks.find((s) => s.stackName === 'MedicalImagingPipelineExampleIntegAssertions')!);
  const logicalId = (bucket: IBucket) => example.getLogicalId(bucket.node.defaultChild as CfnElement);

  test('deploys the example stack with every finding released (no clinician in the loop)', () => {
    const definition = JSON.stringify(Template.fromStack(example).findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toMatch(/"findingRules\\+":\[\{\\+"match\\+":\{\\+"confidenceAtLeast\\+":0\}/);
    expect(Template.fromStack(example).findResources('AWS::Lambda::Function', {
      Properties: { Description: 'Example analyzer: flags images below a minimum resolution' },
    })).not.toEqual({});
  });

  test('copies a generated DICOM file from its asset into the upload prefix', () => {
    const copy = assertions.findResources('Custom::DeployAssert@SdkCallS3copyObject');
    expect(Object.keys(copy)).toHaveLength(1);
    const params = JSON.stringify(Object.values(copy)[0]);
    expect(params).toMatch(/"Key":"\\"incoming\/[^"]+\.dcm\\""/);
    expect(params).toContain(logicalId(example.pipeline.ingest.uploadBucket));
    expect(params).toMatch(/\/[0-9a-f]{64}\.dcm/);
    // The asset is the generator's DICOM: preamble, then the DICM magic.
    const dcm = fs.readdirSync(exampleAssembly.directory).find((f) => f.endsWith('.dcm'))!;
    expect(fs.readFileSync(path.join(exampleAssembly.directory, dcm)).subarray(128, 132).toString('latin1')).toBe('DICM');
  });

  test('waits for the study to be COMPLETED with report revision 1, then for its three report files', () => {
    const query = Object.values(assertions.findResources('Custom::DeployAssert@SdkCallDynamoDBquery'))[0] as { Properties: { expected: string } };
    expect(JSON.parse(query.Properties.expected)).toEqual({
      $ObjectLike: { Items: { $ArrayWith: [{ $ObjectLike: { version: { N: '1' }, instanceCount: { N: '1' }, reportRevision: { N: '1' } } }] } },
    });
    expect(JSON.stringify(query)).toContain(':completed');
    const listing = Object.values(assertions.findResources('Custom::DeployAssert@SdkCallS3listObjectsV2'))[0];
    const listed = JSON.stringify(listing);
    for (const file of ['diagnostic-report', 'fhir-bundle', 'report']) expect(listed).toContain(`/reports/v1/r1/${file}`);
    expect(listed).toContain(logicalId(example.pipeline.resultsStore.reportsBucket));
    // Each wait is a state machine retrying the call; the study's is the long one (20 min at 30 s).
    const waits = Object.values(assertions.findResources('AWS::StepFunctions::StateMachine')).map((r) => JSON.stringify(r));
    expect(waits.some((w) => w.includes('\\"IntervalSeconds\\":30') && w.includes('\\"MaxAttempts\\":40'))).toBe(true);
  });

  test('grants the calls exactly the object and key access they need', () => {
    const all = statements(assertions);
    const withAction = (action: string) => all.filter((s) => ([] as string[]).concat(s.Action).includes(action));
    expect(JSON.stringify(withAction('s3:PutObject'))).toMatch(/"\/incoming\/[^"]+\.dcm"/);
    expect(JSON.stringify(withAction('s3:GetObject'))).toMatch(/\/[0-9a-f]{64}\.dcm"/);
    expect(withAction('kms:GenerateDataKey')).toHaveLength(1);
    // The study query runs in the provider (first call) and in the waiter's function (retries): both decrypt.
    expect(withAction('kms:Decrypt')).toHaveLength(2);
    for (const s of [...withAction('kms:Decrypt'), ...withAction('kms:GenerateDataKey')]) {
      expect(JSON.stringify(s.Resource)).toContain('PipelineKey');
    }
  });
});

describe('the schema label for integ-runner', () => {
  function assemblyWith(version: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-schema-'));
    for (const file of ['manifest.json', 'integ.json', 'Stack.assets.json']) fs.writeFileSync(path.join(dir, file), JSON.stringify({ version, other: 1 }));
    fs.writeFileSync(path.join(dir, 'Stack.template.json'), JSON.stringify({ Resources: {} }));
    fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify({ version: 'tree-0.1' }));
    return dir;
  }

  test.each(CHECKED_MAJORS.map((m) => [`${m}.1.0`]))('relabels the manifests of a %s assembly and nothing else', (version) => {
    const dir = assemblyWith(version);
    expect(relabelAssembly(dir)).toEqual(['Stack.assets.json', 'integ.json', 'manifest.json']);
    for (const file of ['manifest.json', 'integ.json', 'Stack.assets.json']) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'))).toEqual({ version: RUNNER_SCHEMA_VERSION, other: 1 });
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tree.json'), 'utf-8'))).toEqual({ version: 'tree-0.1' });
  });

  test('refuses a schema major that was not compared with the one integ-runner reads', () => {
    expect(() => relabelAssembly(assemblyWith('56.0.0'))).toThrow(/schema 56\.0\.0 was not compared/);
    expect(() => relabelAssembly(assemblyWith('52.0.0'))).toThrow(/schema 52\.0\.0 was not compared/);
  });

  test('the aws-cdk-lib in use writes a major that was compared', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(exampleAssembly.directory, 'manifest.json'), 'utf-8')) as { version: string };
    expect(CHECKED_MAJORS).toContain(Number(version.split('.')[0]));
  });
});
