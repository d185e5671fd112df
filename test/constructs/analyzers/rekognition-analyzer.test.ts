import { Duration } from 'aws-cdk-lib';
import { analyzerFunction, bindAnalyzer, roleStatements, settingsOf, statementsFor } from './service-analyzer-fixture';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { ImageSelection } from '../../../src/constructs/analyzers/image-selection';
import { ImageSelectionStrategy } from '../../../src/shared/analysis-plan';
import { acknowledgements, expectNoNagFindings } from '../../support/nag';

const ARN = 'arn:aws:rekognition:eu-west-1:111122223333:project/chest-xray/version/chest-xray.2024-05-01T10.00.00/1714557600000';

describe('Analyzer.rekognition (DetectLabels)', () => {
  test('defaults: representative images, one per batch, 5 at a time, 30 s; the settings travel in the environment', () => {
    const { stack, template, binding } = bindAnalyzer(Analyzer.rekognition());
    expect(binding).toMatchObject({
      analyzerName: 'rekognition',
      modelId: 'amazon-rekognition-detect-labels',
      batchSize: 1,
      maxConcurrency: 5,
    });
    expect(binding.selection?.strategy).toBe(ImageSelectionStrategy.REPRESENTATIVE);
    expect(binding.batchTimeout?.toSeconds()).toBe(30);
    expect(analyzerFunction(template).props).toMatchObject({ Timeout: 30, MemorySize: 512, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(settingsOf(stack, template)).toEqual({ service: 'rekognition', maxLabels: 20 });
    // Images below the service's minimum are skipped, not sent.
    expect(binding.applicability).toEqual({ minImageWidth: 80, minImageHeight: 80 });
  });

  test("the service's minimum size joins a given applicability rule (a larger minimum stays)", () => {
    const { binding } = bindAnalyzer(Analyzer.rekognition({ applicability: { modalities: ['DX', 'CR'], minImageHeight: 512 } }));
    expect(binding.applicability).toEqual({ modalities: ['DX', 'CR'], minImageWidth: 80, minImageHeight: 512 });
    const custom = bindAnalyzer(Analyzer.rekognition({ projectVersionArn: ARN }));
    expect(custom.binding.applicability).toEqual({ minImageWidth: 64, minImageHeight: 64 });
  });

  test('IAM: DetectLabels on "*" (no resource-level permissions, acknowledged on the role), read-only study objects', () => {
    const { stack, template, store } = bindAnalyzer(Analyzer.rekognition({ minConfidence: 70, maxLabels: 8 }));
    const statements = roleStatements(stack, template);
    expect(statementsFor(statements, 'rekognition')).toEqual([{ Effect: 'Allow', Action: 'rekognition:DetectLabels', Resource: '*' }]);
    expect(statementsFor(statements, 's3')).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: `<${stack.getLogicalId(store.derivedImagesBucket.node.defaultChild as never)}.Arn>/studies/*` }]);
    expect(statementsFor(statements, 'kms')).toEqual([expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:DescribeKey'], Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    })]);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    // logs: writes to the function's own log group only (test/example/least-privilege.test.ts).
    expect(actions.filter((a) => !/^(xray|kms|s3|rekognition|logs):/.test(a))).toEqual([]);
    expect(settingsOf(stack, template)).toEqual({ service: 'rekognition', maxLabels: 8, minConfidence: 70 });
    const reasons = acknowledgements(stack).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]' && a.path.endsWith('A0Function/ServiceRole'));
    expect(reasons.map((a) => a.reason)).toContainEqual(expect.stringMatching(/rekognition:DetectLabels does not support resource-level permissions/));
  });

  test('cdk-nag: AwsSolutions, HIPAA.Security and NIST.800.53.R5 find nothing unacknowledged', () => {
    expectNoNagFindings(bindAnalyzer(Analyzer.rekognition()).app);
  });
});

describe('Analyzer.rekognition (Custom Labels)', () => {
  test('IAM: DetectCustomLabels on the project version ARN only; model id and version from it', () => {
    const analyzer = Analyzer.rekognition({ projectVersionArn: ARN, selection: ImageSelection.all(), timeout: Duration.seconds(20) });
    const { stack, template, binding } = bindAnalyzer(analyzer);
    expect(binding).toMatchObject({ analyzerName: 'rekognition-custom-labels', modelId: 'rekognition-custom-labels/chest-xray', modelVersion: 'chest-xray.2024-05-01T10.00.00' });
    expect(binding.selection?.strategy).toBe(ImageSelectionStrategy.ALL);
    expect(statementsFor(roleStatements(stack, template), 'rekognition')).toEqual([{ Effect: 'Allow', Action: 'rekognition:DetectCustomLabels', Resource: ARN }]);
    expect(settingsOf(stack, template)).toEqual({ service: 'rekognition', maxLabels: 20, projectVersionArn: ARN });
    expect(analyzerFunction(template).props.Timeout).toBe(20);
    // No "*" statement left to acknowledge beyond the X-Ray baseline.
    expect(acknowledgements(stack).filter((a) => /DetectLabels/.test(a.reason))).toEqual([]);
  });

  test('the batch state invokes the function with the invocation and the analyzer timeout', () => {
    const { states } = bindAnalyzer(Analyzer.rekognition({ projectVersionArn: ARN }), { states: true });
    expect(states!.States['Analyze rekognition-custom-labels (test)']).toMatchObject({
      Type: 'Task',
      TimeoutSeconds: 30,
      Parameters: { 'schemaVersion': '2.0', 'analyzerName': 'rekognition-custom-labels', 'study.$': '$.study', 'batch.$': '$.batch' },
    });
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expectNoNagFindings(bindAnalyzer(Analyzer.rekognition({ projectVersionArn: ARN })).app);
  });
});

describe('Analyzer.rekognition options', () => {
  test.each([
    [{ projectVersionArn: 'arn:aws:rekognition:eu-west-1:111122223333:project/chest-xray/1714557600000' }, /projectVersionArn must be a Custom Labels model version ARN/],
    [{ minConfidence: 101 }, /minConfidence must be from 0 to 100, got 101/],
    [{ maxLabels: 0 }, /maxLabels must be a whole number from 1 to 200/],
    [{ maxLabels: 2.5 }, /maxLabels must be a whole number/],
    [{ batchSize: 101 }, /batchSize must be a whole number from 1 to 100/],
    [{ name: 'two words' }, /Analyzer name 'two words' is invalid/],
    [{ timeout: Duration.minutes(16) }, /timeout must be between 1 second and 15 minutes/],
  ])('rejects %p at once', (options, message) => {
    expect(() => Analyzer.rekognition(options)).toThrow(message);
  });
});
