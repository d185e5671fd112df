import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { AnalyzerBindOptions, AnalyzerBinding } from '../../../src/constructs/analyzers/image-analyzer';
import { ImageSelection } from '../../../src/constructs/analyzers/image-selection';
import { ANALYZER_CONTRACT_VERSION } from '../../../src/shared/analyzer-result';
import { actionsOf, buildWorkflow, definitionOf, fixture, statementsOfRole } from '../workflow/workflow-fixture';

const FN_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:my-model';

/** A stack with a plain key and bucket: bind analyzers without a whole workflow. */
function bindContext() {
  const stack = new Stack(new App(), 'Analyzers', { env: { account: '111122223333', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key');
  const bucket = new s3.Bucket(stack, 'Derived', { encryptionKey: key });
  const options: AnalyzerBindOptions = { derivedImagesBucket: bucket, encryptionKey: key, idPrefix: 'A0' };
  return { stack, key, bucket, options };
}

/** The state JSON of the one batch state the binding creates. */
function stateJson(stack: Stack, binding: AnalyzerBinding): Record<string, unknown> {
  const chain = binding.batchTask.createStates(stack, 'Probe', '');
  return (chain.startState as sfn.State).toStateJson() as Record<string, unknown>;
}

describe('Analyzer.lambdaFunction', () => {
  test('builds an AnalyzerInvocation payload from $.study and $.batch and returns the function output as is', () => {
    const { stack, options } = bindContext();
    const fn = lambda.Function.fromFunctionArn(stack, 'MyModel', FN_ARN);
    const binding = Analyzer.lambdaFunction(fn, { name: 'my-model', modelId: 'acme.cxr', modelVersion: '3.1' }).bind(stack, options);
    expect(binding).toMatchObject({
      analyzerName: 'my-model', modelId: 'acme.cxr', modelVersion: '3.1', batchSize: 10, maxConcurrency: 4,
    });
    expect(binding.selection?.strategy).toBe('ALL');
    const json = stack.resolve(stateJson(stack, binding));
    expect(json).toMatchObject({
      Type: 'Task',
      Resource: `${FN_ARN}:$LATEST`,
      Parameters: { 'schemaVersion': ANALYZER_CONTRACT_VERSION, 'analyzerName': 'my-model', 'study.$': '$.study', 'batch.$': '$.batch' },
      End: true,
    });
    expect(json.TimeoutSeconds).toBeUndefined();
    expect(json.Retry).toEqual([expect.objectContaining({
      ErrorEquals: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    })]);
  });

  test('timeout becomes the task timeout; the name defaults to the construct id', () => {
    const { stack, options } = bindContext();
    const fn = lambda.Function.fromFunctionArn(stack, 'MyModel', FN_ARN);
    const binding = Analyzer.lambdaFunction(fn, { timeout: Duration.minutes(3) }).bind(stack, options);
    expect(binding.analyzerName).toBe('MyModel');
    expect(binding.modelId).toBeUndefined();
    expect(stateJson(stack, binding)).toMatchObject({ TimeoutSeconds: 180 });
    expect(binding.batchTimeout?.toSeconds()).toBe(180);
  });

  test('an imported function (fromFunctionArn) works in a workflow; CDK warns that it cannot grant to it', () => {
    const f = fixture();
    const fn = lambda.Function.fromFunctionArn(f.stack, 'Imported', FN_ARN);
    const { template } = buildWorkflow({ analyzers: [Analyzer.lambdaFunction(fn, { name: 'imported' })] }, f);
    const branch = definitionOf(template).States['Run analyzers'].Branches![0];
    expect(branch.StartAt).toBe('Plan imported');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: `${FN_ARN}:$LATEST` })]),
      },
    });
    Annotations.fromStack(f.stack).hasWarning('*', Match.stringLikeRegexp('Add statement to this resource\'s role'));
  });

  test('an imported function with its role gets read on study objects and decrypt through S3 only', () => {
    const { stack, options, key } = bindContext();
    const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const fn = lambda.Function.fromFunctionAttributes(stack, 'MyModel', { functionArn: FN_ARN, role });
    Analyzer.lambdaFunction(fn, { name: 'my-model' }).bind(stack, options);
    const template = Template.fromStack(stack);
    const statements = statementsOfRole(template, stack.getLogicalId(role.node.defaultChild as never));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [stack.resolve(options.derivedImagesBucket.bucketArn), '/studies/*']] },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: stack.resolve(key.keyArn),
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  test.each(['', 'has space', 'a#b', 'x'.repeat(65), '-leading'])('rejects the name %p', (name) => {
    const { stack } = bindContext();
    const fn = lambda.Function.fromFunctionArn(stack, 'MyModel', FN_ARN);
    expect(() => Analyzer.lambdaFunction(fn, { name })).toThrow(/Analyzer name '.*' is invalid: use 1-64 letters/);
  });
});

describe('Analyzer.imageQuality', () => {
  test('creates an arm64 Node.js 24 function that reads only the derived bucket', () => {
    const { stack, options, bucket, key } = bindContext();
    const binding = Analyzer.imageQuality().bind(stack, options);
    expect(binding).toMatchObject({ analyzerName: 'image-quality', modelId: 'image-quality', batchSize: 25, maxConcurrency: 4 });
    expect(binding.selection?.strategy).toBe('ALL');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ DERIVED_BUCKET: stack.resolve(bucket.bucketName) }) },
      KmsKeyArn: stack.resolve(key.keyArn),
    });
    const fnId = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    const roleRef = template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
    const statements = statementsOfRole(template, roleRef);
    const s3Statements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [stack.resolve(bucket.bucketArn), '/studies/*']] },
      },
    ]);
    const actions = actionsOf(statements);
    expect(actions.filter((a) => /^(s3|dynamodb|sns|events|states):/.test(a))).toEqual(['s3:GetObject']);
    expect(actions).not.toContain('kms:GenerateDataKey');
  });

  test('name, timeout and memory are configurable', () => {
    const { stack, options } = bindContext();
    const binding = Analyzer.imageQuality({ name: 'qc', timeout: Duration.seconds(30), memorySize: 2048 }).bind(stack, options);
    expect(binding.analyzerName).toBe('qc');
    expect(stateJson(stack, binding)).toMatchObject({ Type: 'Task', TimeoutSeconds: 30 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 30, MemorySize: 2048 });
  });

  test('rejects an invalid name at once', () => {
    expect(() => Analyzer.imageQuality({ name: 'bad name' })).toThrow(/Analyzer name 'bad name' is invalid/);
  });

  test('selection, applicability, batch size and concurrency reach the binding', () => {
    const { stack, options } = bindContext();
    const binding = Analyzer.imageQuality({
      selection: ImageSelection.atMostPerSeries(3),
      applicability: { modalities: ['CT'], minImageWidth: 256 },
      batchSize: 5,
      maxConcurrency: 2,
    }).bind(stack, options);
    expect(binding).toMatchObject({ batchSize: 5, maxConcurrency: 2, applicability: { modalities: ['CT'], minImageWidth: 256 } });
    expect(binding.selection?._spec()).toEqual({ strategy: 'AT_MOST_PER_SERIES', count: 3 });
  });
});

describe('analyzer options are validated when the analyzer is created', () => {
  test.each([
    [{ batchSize: 0 }, /batchSize must be a whole number from 1 to 100, got 0/],
    [{ batchSize: 101 }, /batchSize must be a whole number from 1 to 100, got 101/],
    [{ maxConcurrency: 1.5 }, /maxConcurrency must be a whole number from 1 to 1000/],
    [{ timeout: Duration.minutes(16) }, /timeout must be between 1 second and 15 minutes/],
    [{ applicability: { minImageHeight: -1 } }, /applicability.minImageHeight must be a whole number of pixels/],
  ])('%p', (options, message) => {
    expect(() => Analyzer.imageQuality(options)).toThrow(message);
  });

  test.each([
    () => ImageSelection.everyNth(0),
    () => ImageSelection.atMostPerStudy(2.5),
    () => ImageSelection.atMostPerSeries(-3),
  ])('image selection counts must be whole numbers of at least 1 (%#)', (make) => {
    expect(make).toThrow(/needs a whole number of at least 1/);
  });
});
