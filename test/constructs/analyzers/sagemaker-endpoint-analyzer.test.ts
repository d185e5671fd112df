import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { analyzerFunction, bindAnalyzer, flat, roleStatements, settingsOf, statementsFor } from './service-analyzer-fixture';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { SageMakerInputFormat } from '../../../src/core/service-answers/sagemaker-answer';
import { ImageSourceKind } from '../../../src/shared/analyzer-result';
import { expectNoNagFindings } from '../../support/nag';

const ENDPOINT_ARN = 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/cxr-detector';

describe('Analyzer.sageMakerEndpoint (real-time)', () => {
  test('defaults: named after the endpoint, representative images, 4 at a time, 75 s; PNG input', () => {
    const { stack, template, binding } = bindAnalyzer(Analyzer.sageMakerEndpoint({ endpointName: 'cxr-detector' }));
    expect(binding).toMatchObject({ analyzerName: 'cxr-detector', modelId: 'cxr-detector', batchSize: 1, maxConcurrency: 4 });
    expect(binding.applicability).toBeUndefined();
    expect(binding.batchTimeout?.toSeconds()).toBe(75);
    expect(analyzerFunction(template).props).toMatchObject({ Timeout: 75, MemorySize: 1024 });
    expect(settingsOf(stack, template)).toEqual({
      service: 'sagemaker', endpointName: 'cxr-detector', inputFormat: 'PNG', maxPayloadBytes: 6 * 1024 * 1024, modelId: 'cxr-detector',
    });
  });

  test('IAM: sagemaker:InvokeEndpoint on the endpoint ARN (in lower case) only; read-only study objects', () => {
    const { stack, template, store } = bindAnalyzer(Analyzer.sageMakerEndpoint({ endpointName: 'CXR-Detector', name: 'cxr' }));
    const statements = roleStatements(stack, template);
    expect(statementsFor(statements, 'sagemaker')).toEqual([{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: ENDPOINT_ARN }]);
    expect(statementsFor(statements, 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `<${stack.getLogicalId(store.derivedImagesBucket.node.defaultChild as never)}.Arn>/studies/*` },
    ]);
  });

  test('DICOM input: studies without DICOM are skipped unless an applicability rule says otherwise', () => {
    const { stack, template, binding } = bindAnalyzer(Analyzer.sageMakerEndpoint({ endpointName: 'ct-seg', inputFormat: SageMakerInputFormat.DICOM }));
    expect(binding.applicability).toEqual({ sourceKinds: [ImageSourceKind.DICOM] });
    expect(settingsOf(stack, template).inputFormat).toBe('DICOM');
    const custom = bindAnalyzer(Analyzer.sageMakerEndpoint({ endpointName: 'ct-seg', inputFormat: SageMakerInputFormat.DICOM, applicability: { modalities: ['CT'] } }));
    expect(custom.binding.applicability).toEqual({ modalities: ['CT'] });
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expectNoNagFindings(bindAnalyzer(Analyzer.sageMakerEndpoint({ endpointName: 'cxr-detector' })).app);
  });
});

describe('Analyzer.sageMakerEndpoint (asynchronous)', () => {
  function asyncAnalyzer(stack: Stack, extra: { endpointRole?: iam.IRole } = {}) {
    const outputBucket = s3.Bucket.fromBucketName(stack, 'AsyncOut', 'cxr-async-results');
    return Analyzer.sageMakerEndpoint({
      endpointName: 'cxr-async',
      asyncInference: { outputBucket, outputPrefix: 'async/out/', failurePrefix: 'async/failed/', maxWait: Duration.minutes(20), ...extra },
    });
  }

  test('IAM: InvokeEndpointAsync on the endpoint, read and prefix-bound list of the output and failure prefixes, no study reads', () => {
    const app = new App();
    const holder = new Stack(app, 'Holder');
    const { stack, template } = bindAnalyzer(asyncAnalyzer(holder), { app });
    const statements = roleStatements(stack, template);
    expect(statementsFor(statements, 'sagemaker')).toEqual([
      { Effect: 'Allow', Action: 'sagemaker:InvokeEndpointAsync', Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/cxr-async' },
    ]);
    expect(statementsFor(statements, 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cxr-async-results/async/out/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::cxr-async-results', Condition: { StringLike: { 's3:prefix': ['async/out/*'] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cxr-async-results/async/failed/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::cxr-async-results', Condition: { StringLike: { 's3:prefix': ['async/failed/*'] } } },
    ]);
    expect(settingsOf(stack, template)).toMatchObject({
      async: { maxWaitSeconds: 1200, initialPollSeconds: 10, outputLocations: ['s3://cxr-async-results/async/out/', 's3://cxr-async-results/async/failed/'] },
    });
  });

  test('a batch can take maxWait plus its steps: long enough to need Standard child workflows', () => {
    const app = new App();
    const { binding } = bindAnalyzer(asyncAnalyzer(new Stack(app, 'Holder')), { app });
    // Submit (75 s) + maxWait (20 min) + the last wait (60 s) + the last poll (75 s).
    expect(binding.batchTimeout?.toSeconds()).toBe(75 * 2 + 1200 + 60);
  });

  test('the batch states: submit, then wait as the poll says and poll until done; the result is the progress result', () => {
    const app = new App();
    const { states } = bindAnalyzer(asyncAnalyzer(new Stack(app, 'Holder')), { app, states: true });
    expect(states!.StartAt).toBe('Submit cxr-async batch (test)');
    expect(states!.States).toMatchObject({
      'Submit cxr-async batch (test)': {
        Type: 'Task',
        TimeoutSeconds: 75,
        ResultPath: '$.progress',
        Next: 'cxr-async outputs ready? (test)',
        Parameters: { 'action': 'start', 'schemaVersion': '2.0', 'analyzerName': 'cxr-async', 'study.$': '$.study', 'batch.$': '$.batch' },
      },
      'cxr-async outputs ready? (test)': {
        Type: 'Choice',
        Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'cxr-async batch result (test)' }],
        Default: 'Wait for cxr-async outputs (test)',
      },
      'Wait for cxr-async outputs (test)': { Type: 'Wait', SecondsPath: '$.progress.waitSeconds', Next: 'Poll cxr-async outputs (test)' },
      'Poll cxr-async outputs (test)': {
        Type: 'Task', ResultPath: '$.progress', Next: 'cxr-async outputs ready? (test)', Parameters: { 'action': 'poll', 'progress.$': '$.progress' },
      },
      'cxr-async batch result (test)': { Type: 'Pass', InputPath: '$.progress.result', End: true },
    });
  });

  test('endpointRole is granted read on the study objects it is pointed at, and decrypt through S3', () => {
    const app = new App();
    const holder = new Stack(app, 'Holder', { env: { account: '111122223333', region: 'eu-west-1' } });
    const role = new iam.Role(holder, 'EndpointRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const { stack } = bindAnalyzer(asyncAnalyzer(holder, { endpointRole: role }), { app });
    const policies = Object.values(app.synth().getStackByName(holder.stackName).template.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::IAM::Policy');
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: any) => s.Action)).toEqual(expect.arrayContaining(['s3:GetObject', ['kms:Decrypt', 'kms:DescribeKey']]));
    expect(JSON.stringify(flat(stack, statements))).toContain('/studies/*');
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    const app = new App();
    const holder = new Stack(app, 'Holder');
    bindAnalyzer(asyncAnalyzer(holder), { app });
    expectNoNagFindings(app);
  });
});

describe('Analyzer.sageMakerEndpoint options', () => {
  const bucket = () => s3.Bucket.fromBucketName(new Stack(), 'B', 'out-bucket');
  test.each([
    [() => ({ endpointName: 'has_underscore' }), /endpointName must be a SageMaker endpoint name/],
    [() => ({ endpointName: 'e', maxPayloadBytes: 30 * 1024 * 1024 }), /maxPayloadBytes must be a whole number from 1 to 26214400/],
    [() => ({ endpointName: 'e', asyncInference: { outputBucket: bucket(), outputPrefix: 'o/', maxWait: Duration.seconds(30) } }), /maxWait \(seconds\) must be a whole number from 60/],
    [() => ({ endpointName: 'e', asyncInference: { outputBucket: bucket(), outputPrefix: 'o/', pollInterval: Duration.minutes(2) } }), /pollInterval \(seconds\) must be a whole number from 1 to 60/],
    [() => ({ endpointName: 'e', maxPayloadBytes: 1000, asyncInference: { outputBucket: bucket(), outputPrefix: 'o/' } }), /maxPayloadBytes applies to real-time endpoints only/],
  ])('rejects bad options at once (%#)', (options, message) => {
    expect(() => Analyzer.sageMakerEndpoint(options())).toThrow(message);
  });
});
