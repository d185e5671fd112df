import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { newStack } from './fixtures';
import {
  expectAllEncryptedWith,
  expectBucketsSecure,
  expectFunctionsHardened,
  expectNoWildcardActions,
  expectQueuesHaveDlq,
  logicalId,
} from './template-checks';
import { BurnedInAnnotationPolicy, ClinicianNotifier, ImagingIngest, ImagingIngestProps, ResultsStore } from '../../src';
import { deidentificationSettingsFromJson, resolveDeidentificationSettings } from '../../src/core/deid/settings';
import { expectNoNagFindings } from '../support/nag';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:analysis';

function build(extra: Partial<ImagingIngestProps> = {}, stackAndApp = newStack()) {
  const { app, stack } = stackAndApp;
  const resultsStore = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
  const stateMachine = sfn.StateMachine.fromStateMachineArn(stack, 'Workflow', STATE_MACHINE_ARN);
  const ingest = new ImagingIngest(stack, 'Ingest', { resultsStore, notifier, stateMachine, ...extra });
  return { app, stack, ingest, resultsStore, notifier };
}

function policyOf(stack: Stack, fn: lambda.Function): Array<Record<string, any>> {
  const template = Template.fromStack(stack);
  const policyId = logicalId(fn.role!.node.findChild('DefaultPolicy'));
  return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
}

describe('ImagingIngest', () => {
  test('everything is encrypted with the pipeline key; buckets secure; queues have a DLQ', () => {
    const { stack, resultsStore } = build();
    const template = Template.fromStack(stack);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    const checked = expectAllEncryptedWith(template, logicalId(resultsStore.encryptionKey), [logBucket]);
    expect(checked).toBeGreaterThanOrEqual(13);
    expectBucketsSecure(template);
    expectQueuesHaveDlq(template);
    expectNoWildcardActions(template);
    template.resourceCountIs('AWS::KMS::Key', 1);
    // No notification custom resource: EventBridge is switched on in the CfnBucket.
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('upload bucket sends to EventBridge; the rule matches the bucket and prefix and feeds the queue', () => {
    const { stack, ingest } = build();
    const template = Template.fromStack(stack);
    const bucketId = logicalId(ingest.uploadBucket as s3.Bucket);
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(ingest.ingestQueue), 'Arn'] } })],
    });
  });

  test('suffix and size filters', () => {
    const { stack } = build({ objectKeySuffixes: ['.dcm', '.png'], filterOversizedInRule: true, maxObjectSize: Size.mebibytes(64), uploadPrefix: 'in/' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          object: {
            key: [{ wildcard: 'in/*.dcm' }, { wildcard: 'in/*.png' }],
            size: [{ numeric: ['<=', 64 * 1024 * 1024] }],
          },
        }),
      }),
    });
  });

  test('queue: visibility >= 6x function timeout, DLQ after 3 receives; event source reports partial failures', () => {
    const { stack, ingest } = build();
    const template = Template.fromStack(stack);
    const queue = template.toJSON().Resources[logicalId(ingest.ingestQueue)].Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * ingest.ingestFunction.timeout!.toSeconds());
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(ingest.deadLetterQueue), 'Arn'] }, maxReceiveCount: 3 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(ingest.ingestFunction) },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  test('batch size and receive count are configurable', () => {
    const { stack, ingest } = build({ batchSize: 25, maxReceiveCount: 5, maxBatchingWindow: Duration.seconds(20) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 25, MaximumBatchingWindowInSeconds: 20 });
    expect(template.toJSON().Resources[logicalId(ingest.ingestQueue)].Properties.RedrivePolicy.maxReceiveCount).toBe(5);
  });

  test('sweeper runs every minute by default with the quiet period in its environment', () => {
    const { stack, ingest } = build({ quietPeriod: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(ingest.sweeperFunction), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUIET_PERIOD_SECONDS: '600', STATE_MACHINE_ARN, TABLE_NAME: Match.anyValue() }) },
    });
  });

  test('pseudonymization secret: 64 generated characters under the pipeline key', () => {
    const { stack, resultsStore } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      KmsKeyId: { 'Fn::GetAtt': [logicalId(resultsStore.encryptionKey), 'Arn'] },
    });
  });

  test('ingest environment carries every setting the handler reads', () => {
    const { stack, ingest } = build();
    const env = Template.fromStack(stack).toJSON().Resources[logicalId(ingest.ingestFunction)].Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual([
      'DEIDENTIFICATION', 'DERIVED_BUCKET', 'EVENT_BUS_NAME', 'INGEST_QUEUE_URL', 'MAX_OBJECTS_PER_REQUEST', 'MAX_OBJECT_BYTES', 'NODE_OPTIONS',
      'ORIGINAL_HANDLING', 'POWERTOOLS_SERVICE_NAME', 'PSEUDONYM_SECRET_ARN', 'QUARANTINE_PREFIX', 'QUIET_PERIOD_SECONDS', 'STATE_MACHINE_ARN', 'TABLE_NAME', 'UPLOAD_BUCKET',
      'UPLOAD_PREFIX',
    ]);
    expect(env.MAX_OBJECTS_PER_REQUEST).toBe('10000');
    expect(env.QUIET_PERIOD_SECONDS).toBe('300');
    expect(env.MAX_OBJECT_BYTES).toBe(String(512 * 1024 * 1024));
    expect(env.UPLOAD_PREFIX).toBe('incoming/');
    expect(env.QUARANTINE_PREFIX).toBe('quarantine/');
    // Defaults spelled out, and read back by the handler as the same settings.
    expect(JSON.parse(env.DEIDENTIFICATION)).toEqual({
      retainLongitudinalTemporalInformation: false,
      retainPatientCharacteristics: false,
      retainDeviceIdentity: false,
      retainInstitutionIdentity: false,
      privateTagSafeList: [],
      burnedInAnnotationPolicy: 'QUARANTINE',
      burnedInAnnotationModalities: ['US', 'ES', 'XC', 'SC', 'OT'],
    });
    expect(deidentificationSettingsFromJson(env.DEIDENTIFICATION)).toEqual(resolveDeidentificationSettings());
  });

  test('de-identification options reach the ingest environment; invalid ones fail at synth', () => {
    const { stack, ingest } = build({
      deidentification: {
        retainLongitudinalTemporalInformation: true,
        retainInstitutionIdentity: true,
        privateTagSafeList: ['(0029,1010)'],
        burnedInAnnotationPolicy: BurnedInAnnotationPolicy.FLAG_FOR_REVIEW,
      },
    });
    const env = Template.fromStack(stack).toJSON().Resources[logicalId(ingest.ingestFunction)].Properties.Environment.Variables;
    const settings = deidentificationSettingsFromJson(env.DEIDENTIFICATION);
    expect(settings).toMatchObject({
      retainLongitudinalTemporalInformation: true,
      retainPatientCharacteristics: false,
      retainInstitutionIdentity: true,
      burnedInAnnotationPolicy: BurnedInAnnotationPolicy.FLAG_FOR_REVIEW,
    });
    expect([...settings.privateTagSafeList]).toEqual([0x00291010]);
    expect(() => build({ deidentification: { privateTagSafeList: ['00100010'] } }))
      .toThrow(/ImagingIngest: deidentification: privateTagSafeList entry '00100010' is not a private tag/);
  });

  test('ingest grants: prefix-scoped S3, exact table actions, StartExecution on the given state machine only', () => {
    const { stack, ingest } = build();
    const statements = policyOf(stack, ingest.ingestFunction);
    const bucket = logicalId(ingest.uploadBucket as s3.Bucket);
    const onPrefix = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:DeleteObject'], Resource: onPrefix('incoming/') }),
      expect.objectContaining({ Action: ['s3:PutObject', 's3:PutObjectTagging'], Resource: onPrefix('quarantine/') }),
      expect.objectContaining({ Action: 'states:StartExecution', Resource: STATE_MACHINE_ARN }),
      expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] }),
    ]));
    const sweeper = policyOf(stack, ingest.sweeperFunction);
    expect(sweeper).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: STATE_MACHINE_ARN }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem' }),
    ]));
    expect(JSON.stringify(sweeper)).not.toContain('s3:');
    expect(JSON.stringify(sweeper)).not.toContain('dynamodb:PutItem');
  });

  test('without a state machine nothing may start executions', () => {
    const { stack } = newStack();
    const resultsStore = new ResultsStore(stack, 'Store');
    const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
    new ImagingIngest(stack, 'Ingest', { resultsStore, notifier });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('states:StartExecution');
  });

  test('functions: nodejs24.x on arm64, reserved concurrency, active tracing, log retention', () => {
    const { stack } = build();
    expect(expectFunctionsHardened(Template.fromStack(stack))).toBe(2);
  });

  test('runtime, architecture and reserved concurrency are overridable', () => {
    const { stack } = build({
      functionOptions: { runtime: lambda.Runtime.NODEJS_22_X, architecture: lambda.Architecture.X86_64, reservedConcurrencyEnabled: false },
    });
    const template = Template.fromStack(stack);
    expect(expectFunctionsHardened(template, { runtime: 'nodejs22.x', architecture: 'x86_64', reservedConcurrency: false })).toBe(2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: Match.absent() });
  });

  test('uses an existing upload bucket: no new bucket, rule matches its name', () => {
    const { stack } = newStack();
    const existing = s3.Bucket.fromBucketName(stack, 'Existing', 'hospital-uploads');
    const { ingest } = build({ existingUploadBucket: existing }, { app: stack.node.root as any, stack });
    const template = Template.fromStack(stack);
    expect(ingest.uploadBucket).toBe(existing);
    template.resourceCountIs('AWS::S3::Bucket', 3); // two results buckets + the access-log bucket
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ bucket: { name: ['hospital-uploads'] } }) }),
    });
  });

  test('refuses contradictory props', () => {
    const { stack } = newStack();
    const existing = s3.Bucket.fromBucketName(stack, 'Existing', 'hospital-uploads');
    expect(() => build({ existingUploadBucket: existing, uploadBucketProps: { bucketName: 'x' } }, { app: stack.node.root as any, stack }))
      .toThrow(/ImagingIngest: pass either 'existingUploadBucket' or 'uploadBucketProps', not both/);
    expect(() => build({ uploadPrefix: 'in/', quarantinePrefix: 'in/bad/' })).toThrow(/must not overlap/);
  });

  test('passes AwsSolutions, HIPAA and NIST 800-53 R5 checks', () => {
    const { app } = build();
    expectNoNagFindings(app);
  });
});

describe('ImagingIngest: Analysis Requested (referenced input)', () => {
  function withArchive() {
    const stackAndApp = newStack();
    const archiveKey = kms.Key.fromKeyArn(stackAndApp.stack, 'ArchiveKey', 'arn:aws:kms:eu-west-1:111111111111:key/archive');
    const archive = s3.Bucket.fromBucketAttributes(stackAndApp.stack, 'Archive', { bucketName: 'hospital-archive', encryptionKey: archiveKey });
    return { ...build({ referencedSources: [{ bucket: archive, keyPrefix: 'studies/' }], maxObjectsPerRequest: 500 }, stackAndApp), archive };
  }

  test('a rule on the pipeline bus routes Analysis Requested events to the ingest queue', () => {
    const { stack, ingest, notifier } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(notifier.eventBus as events.EventBus) },
      EventPattern: { 'detail-type': ['Analysis Requested'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(ingest.ingestQueue), 'Arn'] } })],
    });
    expect(ingest.analysisRequestedRule).toBeDefined();
  });

  test('reads are granted on the source prefix only (never delete or write), listing only under each prefix, the key through S3 only', () => {
    const { stack, ingest } = withArchive();
    const statements = policyOf(stack, ingest.ingestFunction);
    const upload = logicalId(ingest.uploadBucket as s3.Bucket);
    const archiveStatements = statements.filter((statement) => JSON.stringify(statement.Resource).includes('hospital-archive'));
    expect(archiveStatements).toEqual([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', expect.arrayContaining([':s3:::hospital-archive/studies/*'])] } }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['studies/*'] } } }),
    ]);
    expect(JSON.stringify(archiveStatements)).not.toMatch(/Delete|Put/);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [upload, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['incoming/*'] } },
      }),
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: 'arn:aws:kms:eu-west-1:111111111111:key/archive',
        Condition: { StringEquals: { 'kms:ViaService': expect.stringContaining('s3.') } },
      }),
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalId(ingest.ingestQueue), 'Arn'] } }),
    ]));
    const env = Template.fromStack(stack).toJSON().Resources[logicalId(ingest.ingestFunction)].Properties.Environment.Variables;
    expect(JSON.parse(env.REFERENCED_SOURCES)).toEqual([{ bucket: 'hospital-archive', prefix: 'studies/' }]);
    expect(env.MAX_OBJECTS_PER_REQUEST).toBe('500');
    expect(env.INGEST_QUEUE_URL).toEqual({ Ref: logicalId(ingest.ingestQueue) });
  });

  test('a bad fan-out bound fails at synth; with sources the nag packs stay clean', () => {
    expect(() => build({ maxObjectsPerRequest: 0 })).toThrow(/maxObjectsPerRequest must be a positive integer/);
    expectNoNagFindings(withArchive().app);
  });
});
