import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ClinicianNotifier,
  HealthImagingImport,
  HealthImagingImportProps,
  ImagingIngest,
  MedicalImagingPipeline,
  ResultsStore,
} from '../../../src';
import { acknowledgements, addNagPlugins, expectNoNagFindings } from '../../support/nag';
import { ENV, newStack } from '../fixtures';
import { expectAllEncryptedWith, expectBucketsSecure, expectFunctionsHardened, expectNoWildcardActions, logicalId } from '../template-checks';

const EXISTING = `arn:aws:medical-imaging:${ENV.region}:${ENV.account}:datastore/${'0123456789abcdef'.repeat(2)}`;
type Statement = Record<string, any>;

function build(extra: Partial<HealthImagingImportProps> = {}) {
  const { app, stack } = newStack();
  const resultsStore = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
  const imports = new HealthImagingImport(stack, 'Imports', { resultsStore, notifier, ...extra });
  return { app, stack, resultsStore, notifier, imports, template: Template.fromStack(stack) };
}

/** Every statement of every IAM policy in the template, with the roles the policy is attached to. */
function statementsWithRoles(template: Template): Array<{ roles: unknown[]; statement: Statement }> {
  const policies = {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
  return Object.values(policies).flatMap((policy) => (policy.Properties.PolicyDocument.Statement as Statement[])
    .map((statement) => ({ roles: policy.Properties.Roles as unknown[], statement })));
}
const actionsOf = (statement: Statement): string[] => ([] as string[]).concat(statement.Action);

describe('HealthImagingImport', () => {
  test('creates a data store encrypted with the pipeline key, retained with the data', () => {
    const { template, resultsStore } = build({ datastoreName: 'radiology' });
    template.resourceCountIs('AWS::HealthImaging::Datastore', 1);
    template.hasResource('AWS::HealthImaging::Datastore', {
      Properties: { DatastoreName: 'radiology', KmsKeyArn: { 'Fn::GetAtt': [logicalId(resultsStore.encryptionKey), 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the data-access role can be assumed by HealthImaging only, for this data store in this account', () => {
    const { template, imports } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'medical-imaging.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ENV.account },
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(imports.datastore!), 'DatastoreArn'] } },
          },
        }],
      },
    });
  });

  test('the data-access role reads only the staged DICOM, writes only the job output, uses the key only through S3', () => {
    const { template, imports, resultsStore } = build();
    const bucket = { 'Fn::GetAtt': [logicalId(imports.stagingBucket), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalId(imports.dataAccessRole) }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: Match.exact([
          { Sid: 'ReadStagedDicom', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucket, '/input/*']] } },
          { Sid: 'ListStagingBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
          { Sid: 'WriteJobOutput', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [bucket, '/output/*']] } },
          {
            Sid: 'UseKeyThroughS3',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
            Resource: { 'Fn::GetAtt': [logicalId(resultsStore.encryptionKey), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': `s3.${ENV.region}.amazonaws.com` } },
          },
        ]),
      },
    });
    // Nothing else is granted to the role.
    const role = JSON.stringify([{ Ref: logicalId(imports.dataAccessRole) }]);
    const forRole = statementsWithRoles(template).filter(({ roles }) => JSON.stringify(roles) === role);
    expect(forRole).toHaveLength(4);
  });

  test('only the start function may start jobs and pass the role, only the check function reads jobs: on this data store only', () => {
    const { template, imports } = build();
    const datastore = { 'Fn::GetAtt': [logicalId(imports.datastore!), 'DatastoreArn'] };
    const all = statementsWithRoles(template);
    const medical = all.filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('medical-imaging:')));
    expect(medical.map(({ roles, statement }) => ({ roles, statement }))).toEqual([
      {
        roles: [{ Ref: logicalId(imports.startFunction.role!) }],
        statement: { Effect: 'Allow', Action: 'medical-imaging:StartDICOMImportJob', Resource: datastore },
      },
      {
        roles: [{ Ref: logicalId(imports.checkFunction.role!) }],
        statement: { Effect: 'Allow', Action: 'medical-imaging:GetDICOMImportJob', Resource: datastore },
      },
    ]);
    const passRole = all.filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('iam:')));
    expect(passRole).toEqual([{
      roles: [{ Ref: logicalId(imports.startFunction.role!) }],
      statement: {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [logicalId(imports.dataAccessRole), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'medical-imaging.amazonaws.com' } },
      },
    }]);
  });

  test('staging writes only the input prefix; the record step reads and lists only the output prefix', () => {
    const { template, imports } = build();
    const bucket = { 'Fn::GetAtt': [logicalId(imports.stagingBucket), 'Arn'] };
    const staging = statementsWithRoles(template).filter(({ statement }) => JSON.stringify(statement).includes(logicalId(imports.stagingBucket)));
    const byRole = (fn: typeof imports.stageFunction) => staging
      .filter(({ roles }) => JSON.stringify(roles) === JSON.stringify([{ Ref: logicalId(fn.role!) }]))
      .map(({ statement }) => statement);
    expect(byRole(imports.stageFunction)).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [bucket, '/input/*']] } }]);
    expect(byRole(imports.recordFunction)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucket, '/output/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['output/*'] } } },
    ]);
    expect(byRole(imports.startFunction)).toEqual([]);
    expect(byRole(imports.checkFunction)).toEqual([]);
  });

  test('functions name their data store, role and staging bucket; the check function holds no table or bucket', () => {
    const { template, imports } = build();
    const env = (fn: typeof imports.stageFunction) => template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables;
    expect(env(imports.startFunction)).toMatchObject({
      HEALTH_IMAGING_DATASTORE_ID: { 'Fn::GetAtt': [logicalId(imports.datastore!), 'DatastoreId'] },
      HEALTH_IMAGING_ROLE_ARN: { 'Fn::GetAtt': [logicalId(imports.dataAccessRole), 'Arn'] },
      HEALTH_IMAGING_BUCKET: { Ref: logicalId(imports.stagingBucket) },
    });
    expect(Object.keys(env(imports.checkFunction)).sort()).toEqual(['HEALTH_IMAGING_DATASTORE_ID', 'HEALTH_IMAGING_ROLE_ARN', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
  });

  test('staged copies expire after stagingRetention; every bucket is secure; everything is encrypted with the pipeline key', () => {
    const { template, stack, resultsStore } = build({ stagingRetention: Duration.days(3) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        // Beside the bucket-wide noncurrent-version rule every secure bucket has.
        Rules: Match.arrayWith([
          { Id: 'expire-staged-dicom', Prefix: 'input/', ExpirationInDays: 3, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
        ]),
      },
    });
    expectBucketsSecure(template);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    expect(expectAllEncryptedWith(template, logicalId(resultsStore.encryptionKey), [logBucket])).toBeGreaterThanOrEqual(12);
    expect(expectFunctionsHardened(template)).toBe(4);
    expectNoWildcardActions(template);
  });

  test('the state machine: STANDARD, KMS, logs without execution data, X-Ray; waits pollInterval; checks bounded by importTimeout', () => {
    const { template, imports, resultsStore } = build({ pollInterval: Duration.seconds(30), importTimeout: Duration.minutes(10) });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      EncryptionConfiguration: Match.objectLike({ KmsKeyId: { 'Fn::GetAtt': [logicalId(resultsStore.encryptionKey), 'Arn'] } }),
      LoggingConfiguration: Match.objectLike({ IncludeExecutionData: false, Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
    const parts = template.toJSON().Resources[logicalId(imports.stateMachine)].Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const definition = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'arn')).join(''));
    expect(definition.States['Wait for import']).toEqual({ Type: 'Wait', Seconds: 30, Next: 'Check import' });
    expect(definition.States['Import finished?'].Choices).toContainEqual({ Variable: '$.job.polls', NumericGreaterThanEquals: 20, Next: 'Import timed out' });
    // Inside the execution timeout: 12 staging rounds of 5 minutes, the checks, and two hours for the start's retries.
    expect(definition.TimeoutSeconds).toBe(12 * 300 + 600 + 7200);
    // Every task has a way to the failure path, so no failure leaves the study's import unrecorded.
    const tasks = Object.entries(definition.States as Record<string, any>).filter(([, s]) => s.Type === 'Task');
    const recorders = ['Record failure', 'Record no DICOM'];
    expect(tasks.filter(([name, s]) => !recorders.includes(name) && !(s.Catch ?? []).some((c: any) => c.ErrorEquals.includes('States.ALL')))).toEqual([]);
  });

  test('an existing data store: no new one; its ARN in the trust policy and the grants, its id in the environment', () => {
    const { template, imports } = build({ existingDatastoreArn: EXISTING });
    template.resourceCountIs('AWS::HealthImaging::Datastore', 0);
    expect(imports.datastore).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': EXISTING } }) })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'medical-imaging:StartDICOMImportJob', Resource: EXISTING }]) },
    });
    const env = template.toJSON().Resources[logicalId(imports.checkFunction)].Properties.Environment.Variables;
    expect(env.HEALTH_IMAGING_DATASTORE_ID).toBe('0123456789abcdef'.repeat(2));
  });

  test.each([
    ['a data store and a name for a new one', { existingDatastoreArn: EXISTING, datastoreName: 'x' }, /either 'existingDatastoreArn' or 'datastoreName'/],
    ['an ARN of something else', { existingDatastoreArn: 'arn:aws:s3:::bucket' }, /not a HealthImaging data store ARN/],
    ['a poll interval under 10 seconds', { pollInterval: Duration.seconds(5) }, /pollInterval/],
    ['a timeout shorter than one poll', { pollInterval: Duration.minutes(5), importTimeout: Duration.minutes(1) }, /importTimeout/],
    ['staging kept less than the import may take', { importTimeout: Duration.days(2), stagingRetention: Duration.days(1) }, /stagingRetention/],
    ['staging kept for part of a day', { stagingRetention: Duration.hours(36) }, /stagingRetention/],
  ])('refuses %s', (_case, props, message) => {
    expect(() => build(props as Partial<HealthImagingImportProps>)).toThrow(message);
  });
});

describe('HealthImaging in ImagingIngest and MedicalImagingPipeline', () => {
  const ANALYSIS = `arn:aws:states:${ENV.region}:${ENV.account}:stateMachine:analysis`;
  function ingest(healthImaging: boolean, stack: Stack = newStack().stack) {
    const resultsStore = new ResultsStore(stack, 'Store');
    const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
    const stateMachine = sfn.StateMachine.fromStateMachineArn(stack, 'Analysis', ANALYSIS);
    return new ImagingIngest(stack, 'Ingest', { resultsStore, notifier, stateMachine, ...(healthImaging ? { healthImaging: {} } : {}) });
  }

  test('on: ingest and sweeper get the import state machine in their environment and may start it (and nothing else of it)', () => {
    const { stack } = newStack();
    const subject = ingest(true, stack);
    const imports = subject.healthImagingImport!;
    const template = Template.fromStack(stack);
    const arn = { Ref: logicalId(imports.stateMachine) };
    for (const fn of [subject.ingestFunction, subject.sweeperFunction]) {
      const resource = template.toJSON().Resources[logicalId(fn)];
      expect(resource.Properties.Environment.Variables.HEALTH_IMAGING_STATE_MACHINE_ARN).toEqual(arn);
      const statements = statementsWithRoles(template)
        .filter(({ roles }) => JSON.stringify(roles) === JSON.stringify([{ Ref: logicalId(fn.role!) }]))
        .map(({ statement }) => statement)
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(arn));
      expect(statements).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: arn }]);
    }
  });

  test('off (the default): no data store, no import state machine, no environment variable', () => {
    const { stack } = newStack();
    const subject = ingest(false, stack);
    expect(subject.healthImagingImport).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::HealthImaging::Datastore', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('HEALTH_IMAGING');
  });

  test('needs the analysis state machine (imports start with it)', () => {
    const { stack } = newStack();
    const resultsStore = new ResultsStore(stack, 'Store');
    const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
    expect(() => new ImagingIngest(stack, 'Ingest', { resultsStore, notifier, healthImaging: {} })).toThrow(/'healthImaging' needs 'stateMachine'/);
  });

  test('the pipeline with HealthImaging passes AwsSolutions, HIPAA.Security and NIST 800-53 R5, with specific acknowledgements', () => {
    const { app, stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', { healthImaging: { datastoreName: 'radiology' } });
    expect(pipeline.ingest.healthImagingImport).toBeDefined();
    expectNoNagFindings(app);
    const acks = acknowledgements(app).filter((a) => a.path.includes('/HealthImaging/'));
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.filter((a) => a.reason.trim().length < 40)).toEqual([]);
    // The synth-time plugins agree (they throw on an error-level finding).
    addNagPlugins(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('the pipeline raises an alarm (to the operations topic) when an import execution fails or times out', () => {
    const { stack } = newStack();
    const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', { healthImaging: {} });
    const template = Template.fromStack(stack);
    const machine = { Ref: logicalId(pipeline.ingest.healthImagingImport!.stateMachine) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)' }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: machine }] }) }) }),
        Match.objectLike({ Id: 'timedOut', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut' }) }) }),
      ]),
      AlarmActions: [{ Ref: logicalId(pipeline.operations.alarmTopic as any) }],
      Threshold: 1,
    });
    expect(pipeline.alarms.map((a) => a.node.id)).toContain('HealthImagingImportAlarm');
  });
});
