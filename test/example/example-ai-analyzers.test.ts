import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/app';
import { LOCAL_AI_CONTEXT } from '../../scripts/local-runner/template';
import { formatFindings, nagFindings } from '../support/nag';

function synthExample(context: Record<string, string> = {}) {
  const { app, stack } = buildExampleApp(new App({ context }));
  const template = Template.fromStack(stack);
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  return { app, template, definition: JSON.stringify(machine.Properties.DefinitionString) };
}

const settingsOf = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function'))
  .map((fn) => fn.Properties.Environment?.Variables?.ANALYZER_SETTINGS)
  .filter((raw): raw is string => typeof raw === 'string')
  .map((raw) => JSON.parse(raw) as { service: string });

test('without AI context the example still deploys with Rekognition only (it needs nothing in the account)', () => {
  const { definition, template } = synthExample();
  expect(definition).toContain('Analyze rekognition');
  expect(definition).not.toContain('Analyze bedrock');
  expect(settingsOf(template).map((s) => s.service)).toEqual(['rekognition']);
});

test('-c bedrockModelId and -c sageMakerEndpointName add those analyzers; cdk-nag stays clean', () => {
  const { app, definition, template } = synthExample({ ...LOCAL_AI_CONTEXT });
  expect(definition).toContain('Analyze bedrock');
  expect(definition).toContain('Analyze local-cxr-detector');
  expect(settingsOf(template)).toEqual(expect.arrayContaining([
    expect.objectContaining({ service: 'bedrock', modelId: LOCAL_AI_CONTEXT.bedrockModelId }),
    expect.objectContaining({ service: 'sagemaker', endpointName: LOCAL_AI_CONTEXT.sageMakerEndpointName }),
  ]));
  expect(formatFindings(nagFindings(app))).toBe('');
});

test('blank AI context values mean "not configured"', () => {
  expect(synthExample({ bedrockModelId: ' ', sageMakerEndpointName: '' }).definition).not.toContain('Analyze bedrock');
});
