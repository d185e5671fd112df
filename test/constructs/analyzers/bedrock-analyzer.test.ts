import { bindAnalyzer, analyzerFunction, roleStatements, settingsOf, statementsFor } from './service-analyzer-fixture';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { ImageSelectionStrategy } from '../../../src/shared/analysis-plan';
import { acknowledgements, expectNoNagFindings } from '../../support/nag';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const PROFILE = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const PROFILE_ARN = `arn:aws:bedrock:eu-west-1:111122223333:inference-profile/${PROFILE}`;
const APP_PROFILE_ARN = 'arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/k3y9q2m1x8p0';

describe('Analyzer.bedrock with a foundation model', () => {
  test('defaults: representative images, one per batch, 2 at a time, 90 s, maxTokens 2048, temperature 0', () => {
    const { stack, template, binding } = bindAnalyzer(Analyzer.bedrock({ modelId: MODEL }));
    expect(binding).toMatchObject({ analyzerName: 'bedrock', modelId: MODEL, modelVersion: 'v1:0', batchSize: 1, maxConcurrency: 2 });
    expect(binding.selection?.strategy).toBe(ImageSelectionStrategy.REPRESENTATIVE);
    expect(binding.batchTimeout?.toSeconds()).toBe(90);
    expect(analyzerFunction(template).props).toMatchObject({ Timeout: 90, MemorySize: 512 });
    expect(settingsOf(stack, template)).toEqual({
      service: 'bedrock', modelId: MODEL, recordedModelId: MODEL, modelVersion: 'v1:0', maxTokens: 2048, temperature: 0,
    });
  });

  test('IAM: bedrock:InvokeModel on the foundation model in this Region, nothing else of Bedrock', () => {
    const { stack, template } = bindAnalyzer(Analyzer.bedrock({ modelId: MODEL }));
    expect(statementsFor(roleStatements(stack, template), 'bedrock')).toEqual([
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:eu-west-1::foundation-model/${MODEL}` },
    ]);
  });

  test('prompts and inference settings are passed on', () => {
    const { stack, template } = bindAnalyzer(Analyzer.bedrock({
      modelId: MODEL, name: 'cxr-llm', prompt: 'List lines and tubes.', systemPrompt: 'You describe chest radiographs.', maxTokens: 1024, temperature: 0.3,
    }));
    expect(settingsOf(stack, template)).toMatchObject({ prompt: 'List lines and tubes.', systemPrompt: 'You describe chest radiographs.', maxTokens: 1024, temperature: 0.3 });
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expectNoNagFindings(bindAnalyzer(Analyzer.bedrock({ modelId: MODEL })).app);
  });
});

describe('Analyzer.bedrock with an inference profile', () => {
  test('a system-defined profile id: the profile, and its model in any Region only through the profile', () => {
    const { stack, template, binding } = bindAnalyzer(Analyzer.bedrock({ modelId: PROFILE }));
    expect(binding).toMatchObject({ modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0', modelVersion: 'v1:0' });
    expect(statementsFor(roleStatements(stack, template), 'bedrock')).toEqual([
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: PROFILE_ARN },
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
        Condition: { ArnEquals: { 'bedrock:InferenceProfileArn': PROFILE_ARN } },
      },
    ]);
    expect(settingsOf(stack, template)).toMatchObject({ modelId: PROFILE, recordedModelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0' });
    expect(acknowledgements(stack)).toContainEqual(expect.objectContaining({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0]',
      reason: expect.stringMatching(/bedrock:InferenceProfileArn/),
    }));
  });

  test('inferenceProfileRegions list the Regions instead of "*"', () => {
    const { stack, template } = bindAnalyzer(Analyzer.bedrock({ modelId: PROFILE_ARN, inferenceProfileRegions: ['eu-west-1', 'eu-central-1'] }));
    const [profile, models] = statementsFor(roleStatements(stack, template), 'bedrock');
    expect(profile.Resource).toBe(PROFILE_ARN);
    expect(models.Resource).toEqual([
      'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      'arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
    ]);
    expect(acknowledgements(stack).filter((a) => a.id.includes('foundation-model'))).toEqual([]);
  });

  test('an application inference profile needs the model it routes to', () => {
    expect(() => Analyzer.bedrock({ modelId: APP_PROFILE_ARN })).toThrow(/needs foundationModelId/);
    const { stack, template, binding } = bindAnalyzer(Analyzer.bedrock({ modelId: APP_PROFILE_ARN, foundationModelId: 'amazon.nova-pro-v1:0' }));
    expect(binding.modelId).toBe('amazon.nova-pro-v1:0');
    expect(statementsFor(roleStatements(stack, template), 'bedrock')).toEqual([
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: APP_PROFILE_ARN },
      expect.objectContaining({ Resource: 'arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0', Condition: { ArnEquals: { 'bedrock:InferenceProfileArn': APP_PROFILE_ARN } } }),
    ]);
  });

  test('a provisioned model ARN is granted as it is', () => {
    const arn = 'arn:aws:bedrock:eu-west-1:111122223333:provisioned-model/abc123def456';
    const { stack, template } = bindAnalyzer(Analyzer.bedrock({ modelId: arn, recordedModelId: 'cxr-tuned-claude' }));
    expect(statementsFor(roleStatements(stack, template), 'bedrock')).toEqual([{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: arn }]);
    expect(settingsOf(stack, template).recordedModelId).toBe('cxr-tuned-claude');
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expectNoNagFindings(bindAnalyzer(Analyzer.bedrock({ modelId: PROFILE })).app);
  });
});

describe('Analyzer.bedrock options', () => {
  test.each([
    [{ modelId: '' }, /modelId is required/],
    [{ modelId: 'claude' }, /neither a model id/],
    [{ modelId: MODEL, foundationModelId: MODEL }, /apply to inference profiles only/],
    [{ modelId: MODEL, temperature: 1.5 }, /temperature must be from 0 to 1/],
    [{ modelId: MODEL, maxTokens: 0 }, /maxTokens must be a whole number from 1/],
    [{ modelId: MODEL, prompt: '  ' }, /prompt must not be empty/],
  ])('rejects %p at once', (options, message) => {
    expect(() => Analyzer.bedrock(options)).toThrow(message);
  });

  test('prompts too long for a Lambda environment are refused at bind time', () => {
    expect(() => bindAnalyzer(Analyzer.bedrock({ modelId: MODEL, systemPrompt: 'x'.repeat(3600) }))).toThrow(/keep them under 3500/);
  });
});
