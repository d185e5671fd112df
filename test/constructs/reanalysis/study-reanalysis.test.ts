import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Analyzer, MedicalImagingPipeline } from '../../../src';
import { expectNoNagFindings } from '../../support/nag';
import { evaluate, PolicyRequest, PolicyStatementJson, resolveIntrinsics } from '../../support/policy-evaluator';
import { newStack } from '../fixtures';
import { logicalId } from '../template-checks';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

function synth(reanalysis: { maxConcurrency?: number } | undefined) {
  const { app, stack } = newStack();
  const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', {
    analyzers: [Analyzer.imageQuality(), Analyzer.rekognition()],
    reanalysis,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const physical: Record<string, string> = {};
  for (const [id, r] of ofType('AWS::StepFunctions::StateMachine')) physical[id] = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${r.Properties.StateMachineName}`;
  const keyId = ofType('AWS::KMS::Key')[0][0];
  physical[`${keyId}.Arn`] = `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`;
  for (const [id] of ofType('AWS::S3::Bucket')) physical[`${id}.Arn`] = `arn:aws:s3:::${id.toLowerCase()}`;
  const pseudo = { partition: 'aws', region: REGION, account: ACCOUNT, physical };
  // The execution ARNs name the state machine by `Fn::Select [6, Fn::Split [':', Ref]]` (its name).
  const names = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(names);
    if (!node || typeof node !== 'object') return node;
    const select = (node as { 'Fn::Select'?: [number, { 'Fn::Split'?: [string, { Ref?: string }] }] })['Fn::Select'];
    const ref = select?.[1]?.['Fn::Split']?.[1]?.Ref;
    if (select !== undefined && ref !== undefined && physical[ref] !== undefined) return physical[ref].split(':')[select[0]];
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, names(v)]));
  };
  const policyOf = (roleId: string): PolicyStatementJson[] => ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => resolveIntrinsics(names(p.Properties.PolicyDocument) as { Statement: PolicyStatementJson[] }, pseudo).Statement);
  const roleOf = (fn: lambda.IFunction) => logicalId(fn.role as iam.Role);
  return { app, pipeline, template, resources, physical, policyOf, roleOf, keyArn: physical[`${keyId}.Arn`] };
}

/** The state machine's definition with every token replaced by "<ref>". */
function aslOf(definitionString: unknown): any {
  const join = (definitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(join.map((part) => (typeof part === 'string' ? part : '<ref>')).join(''));
}

describe('StudyReanalysis (MedicalImagingPipeline reanalysis option)', () => {
  test('off by default: one state machine, and ingest never takes the study form of Analysis Requested', () => {
    const { pipeline, template } = synth(undefined);
    expect(pipeline.reanalysis).toBeUndefined();
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['Analysis Requested'], 'detail': { studyKey: [{ exists: false }] } } });
  });

  test('a Distributed Map over the S3 item list, at the given MaxConcurrency, each study catching its own failure', () => {
    const { pipeline, resources } = synth({ maxConcurrency: 3 });
    const machine = resources[logicalId(pipeline.reanalysis!.stateMachine)];
    const asl = aslOf(machine.Properties.DefinitionString);
    expect(asl.StartAt).toBe('Select studies');
    const map = asl.States['Re-analyse studies'];
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 3,
      ToleratedFailurePercentage: 100,
      ItemReader: { Resource: 'arn:<ref>:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Key.$': '$.run.items.key' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Open version' },
      ResultWriter: { Resource: 'arn:<ref>:states:::s3:putObject', Parameters: { Prefix: 'reanalysis-runs/map-runs/' } },
    });
    const states = map.ItemProcessor.States;
    const caught = [{ ErrorEquals: ['States.ALL'], Next: 'Record failure', ResultPath: '$.failure' }];
    expect(states['Analyse new version']).toMatchObject({
      Resource: 'arn:<ref>:states:::states:startExecution.sync:2',
      Parameters: { 'Name.$': '$.opened.executionName', 'Input': { 'studyKey.$': '$.opened.studyKey', 'version.$': '$.opened.version' } },
      Catch: caught,
    });
    // Exactly the input ingest and the sweeper start this execution name with (another would be ExecutionAlreadyExists):
    // the version's order reaches the workflow on the study record, not here.
    expect(states['Analyse new version'].Parameters.Input).toEqual({ 'studyKey.$': '$.opened.studyKey', 'version.$': '$.opened.version' });
    expect(states['Open version'].Catch).toEqual(caught);
    expect(states['Record failure'].Next).toBe('Study done');
    expect(asl.States['Any studies?'].Choices[0]).toMatchObject({ Variable: '$.run.studyCount', NumericEquals: 0, Next: 'Finish run' });
    expect(asl.States['Re-analyse studies'].Next).toBe('Finish run');
    // It runs the pipeline's own workflow.
    expect(JSON.stringify(machine.Properties.DefinitionString)).toContain(logicalId(pipeline.workflow.stateMachine));
    expect(machine.Properties.EncryptionConfiguration).toMatchObject({ Type: 'CUSTOMER_MANAGED_KMS_KEY' });
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
  });

  test('maxConcurrency defaults to 10 and must be an integer from 1 to 10000', () => {
    const { pipeline, resources } = synth({});
    expect(aslOf(resources[logicalId(pipeline.reanalysis!.stateMachine)].Properties.DefinitionString).States['Re-analyse studies'].MaxConcurrency).toBe(10);
    expect(() => synth({ maxConcurrency: 0 })).toThrow(/maxConcurrency must be an integer from 1 to 10000/);
    expect(() => synth({ maxConcurrency: 2.5 })).toThrow(/maxConcurrency/);
  });

  test("least privilege: a run starts and watches only the workflow's executions; the request function only starts runs", () => {
    const { pipeline, policyOf, roleOf, physical, keyArn } = synth({});
    const reanalysis = pipeline.reanalysis!;
    const workflowArn = physical[logicalId(pipeline.workflow.stateMachine)];
    const runArn = physical[logicalId(reanalysis.stateMachine)];
    const role = policyOf(logicalId(reanalysis.stateMachine.role as iam.Role));
    expect(evaluate(role, { action: 'states:StartExecution', resource: workflowArn })).toBe('ALLOW');
    // (and its own, as any Distributed Map does for its child executions), no other state machine.
    expect(evaluate(role, { action: 'states:StartExecution', resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:another` })).toBe('IMPLICIT_DENY');
    expect(evaluate(role, { action: 'states:StartExecution', resource: `${workflowArn}-other` })).toBe('IMPLICIT_DENY');
    const execution = `${workflowArn.replace(':stateMachine:', ':execution:')}:study-abc-v2`;
    expect(evaluate(role, { action: 'states:DescribeExecution', resource: execution })).toBe('ALLOW');
    expect(evaluate(role, { action: 'states:StopExecution', resource: execution })).toBe('ALLOW');
    expect(evaluate(role, { action: 'states:StopExecution', resource: `arn:aws:states:${REGION}:${ACCOUNT}:execution:another:x` })).toBe('IMPLICIT_DENY');
    // The workflow's execution data is encrypted: the run may use the key for that state machine's executions only.
    const data = (arn: string, action = 'kms:GenerateDataKey'): PolicyRequest => ({
      action, resource: keyArn, context: { 'kms:EncryptionContext:aws:states:stateMachineArn': arn },
    });
    expect(evaluate(role, data(workflowArn))).toBe('ALLOW');
    expect(evaluate(role, data(workflowArn, 'kms:Decrypt'))).toBe('ALLOW');
    expect(evaluate(role, data(`${workflowArn}x`))).toBe('IMPLICIT_DENY');
    // Its own S3 access is the runs' prefix of the reports bucket (item list, map results), not the reports.
    const reports = physical[`${logicalId(pipeline.resultsStore.reportsBucket)}.Arn`];
    expect(evaluate(role, { action: 's3:GetObject', resource: `${reports}/reanalysis-runs/run-1/studies.json` })).toBe('ALLOW');
    expect(evaluate(role, { action: 's3:GetObject', resource: `${reports}/studies/k/reports/v1/r1/report.html` })).toBe('IMPLICIT_DENY');

    const request = policyOf(roleOf(reanalysis.requestFunction));
    expect(evaluate(request, { action: 'states:StartExecution', resource: runArn })).toBe('ALLOW');
    expect(evaluate(request, { action: 'states:StartExecution', resource: workflowArn })).toBe('IMPLICIT_DENY');
    expect(evaluate(request, data(runArn))).toBe('ALLOW');
    expect(evaluate(request, { action: 'dynamodb:GetItem', resource: `<${logicalId(pipeline.resultsStore.table)}.Arn>` })).toBe('IMPLICIT_DENY');

    // The open step moves a study (UpdateItem) but neither puts nor deletes records.
    const open = policyOf(roleOf(reanalysis.openVersionFunction));
    const table = `<${logicalId(pipeline.resultsStore.table)}.Arn>`;
    expect(evaluate(open, { action: 'dynamodb:UpdateItem', resource: table })).toBe('ALLOW');
    expect(evaluate(open, { action: 'dynamodb:PutItem', resource: table })).toBe('IMPLICIT_DENY');
    expect(evaluate(open, { action: 'dynamodb:DeleteItem', resource: table })).toBe('IMPLICIT_DENY');
    // It checks (HeadObject, answered by GetObject) that the de-identified images are stored, and writes none: its order goes on the study.
    const derivedImage = `${physical[`${logicalId(pipeline.resultsStore.derivedImagesBucket)}.Arn`]}/studies/k/s/i/analysis.png`;
    expect(evaluate(open, { action: 's3:GetObject', resource: derivedImage })).toBe('ALLOW');
    expect(evaluate(open, { action: 's3:PutObject', resource: derivedImage })).toBe('IMPLICIT_DENY');
    // Only the finish step lists, and only under the runs' prefix.
    const finish = policyOf(roleOf(reanalysis.finishRunFunction));
    const list = (prefix: string): PolicyRequest => ({ action: 's3:ListBucket', resource: reports, context: { 's3:prefix': prefix } });
    expect(evaluate(finish, list('reanalysis-runs/run-1/results/'))).toBe('ALLOW');
    expect(evaluate(finish, list('studies/'))).toBe('IMPLICIT_DENY');
    expect(evaluate(policyOf(roleOf(reanalysis.selectStudiesFunction)), list('reanalysis-runs/'))).toBe('IMPLICIT_DENY');
  });

  test('the study form goes to the request function (retries, encrypted DLQ); the select step knows the analyzers', () => {
    const { pipeline, template } = synth({});
    const reanalysis = pipeline.reanalysis!;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(pipeline.notifier.eventBus) },
      EventPattern: { 'detail-type': ['Analysis Requested'], 'detail': { studyKey: [{ exists: true }] } },
      Targets: [{
        Arn: { 'Fn::GetAtt': [logicalId(reanalysis.requestFunction), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(reanalysis.requestDeadLetterQueue), 'Arn'] } },
      }],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(pipeline.encryptionKey), 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ANALYZER_NAMES: '["image-quality","rekognition"]' } },
    });
  });

  test('cdk-nag (AwsSolutions, HIPAA.Security, NIST.800.53.R5) finds nothing unacknowledged', () => {
    const { app } = synth({});
    expectNoNagFindings(app);
  });
});
