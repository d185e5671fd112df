import {
  AccessDeniedException, BedrockRuntimeClient, ConverseCommand, ConverseCommandOutput, InternalServerException, ModelErrorException,
  ModelNotReadyException, ModelTimeoutException, ResourceNotFoundException, ServiceUnavailableException, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { analysisPng, bulkyPng, expectNowhere, expectValidResult, invocation, lambdaContext, recordingLog, storeImage, suiteEngines } from './support';
import { DEFAULT_SYSTEM_PROMPT } from '../../../../src/core/service-answers/bedrock-answer';
import { BedrockSettings } from '../../../../src/core/service-answers/settings';
import { handleBedrock } from '../../../../src/runtime/handlers/analyzers/bedrock.lambda';
import { TEST_REGION } from '../../../support/local-engines';

const $metadata = { httpStatusCode: 400 };
const SERVICE_MESSAGE = 'You don\'t have access to the model with the specified model ID.';
const MODEL_TEXT = 'Patient DOE^JANE, MRN-0042: findings follow';

const engines = suiteEngines();

const client = new BedrockRuntimeClient({ region: TEST_REGION });
const bedrock = mockClient(client);
beforeEach(() => bedrock.reset());

const SETTINGS: BedrockSettings = {
  service: 'bedrock',
  modelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  recordedModelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  modelVersion: 'v2:0',
  maxTokens: 2048,
  temperature: 0,
};

function handler(settings: Partial<BedrockSettings> = {}, log = recordingLog()) {
  return handleBedrock({ s3: engines.s3, bedrock: client, settings: { ...SETTINGS, ...settings }, log });
}

/** A Converse response as documented: the model called the tool. */
function toolAnswer(input: unknown, stopReason = 'tool_use'): ConverseCommandOutput {
  return {
    output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'record_findings', input: input as never } }] } },
    stopReason: stopReason as never,
    usage: { inputTokens: 1620, outputTokens: 180, totalTokens: 1800 },
    metrics: { latencyMs: 2400 },
    $metadata: { httpStatusCode: 200 },
  };
}

test('Converse: the analysis PNG and the prompt, the findings tool forced; the answer becomes findings with token usage', async () => {
  const png = analysisPng();
  const image = await storeImage(engines, png);
  bedrock.on(ConverseCommand).resolves(toolAnswer({
    findings: [
      { label: 'Right lower lobe opacity', confidence: 0.74, code: '129725006', codeSystem: 'http://snomed.info/sct', region: { left: 0.5, top: 0.55, width: 0.3, height: 0.3 } },
      { label: 'Cardiac silhouette within normal size', confidence: 0.88 },
    ],
  }));
  const inv = invocation('bedrock', [image]);
  const result = await handler()(inv, lambdaContext(90_000));
  expect(result).toMatchObject({
    analyzerName: 'bedrock',
    modelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    modelVersion: 'v2:0',
    status: 'SUCCEEDED',
    imageCount: 1,
    tokenUsage: { inputTokens: 1620, outputTokens: 180 },
    findings: [
      { label: 'Right lower lobe opacity', confidence: 0.74, imageRef: image.imageRef, code: '129725006', codeSystem: 'http://snomed.info/sct', region: { left: 0.5, top: 0.55, width: 0.3, height: 0.3 } },
      { label: 'Cardiac silhouette within normal size', confidence: 0.88, imageRef: image.imageRef },
    ],
  });
  expectValidResult(result, inv);
  const input = bedrock.commandCalls(ConverseCommand)[0].args[0].input;
  expect(input).toMatchObject({
    modelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
    system: [{ text: DEFAULT_SYSTEM_PROMPT }],
    inferenceConfig: { maxTokens: 2048, temperature: 0 },
    toolConfig: { toolChoice: { tool: { name: 'record_findings' } }, tools: [{ toolSpec: { name: 'record_findings' } }] },
  });
  const content = input.messages![0].content!;
  expect(content[0].image).toMatchObject({ format: 'png' });
  expect(Buffer.from(content[0].image!.source!.bytes!)).toEqual(png);
  expect(content[1].text).toBe('Modality: DX.\nBody part examined: CHEST.\nDescribe the findings in this image.');
  expect(input.toolConfig!.tools![0].toolSpec!.inputSchema!.json).toMatchObject({ required: ['findings'] });
});

test('prompts, maxTokens and temperature come from the settings', async () => {
  const image = await storeImage(engines, analysisPng(), { modality: 'CT', bodyPart: undefined });
  bedrock.on(ConverseCommand).resolves(toolAnswer({ findings: [] }));
  const result = await handler({ prompt: 'List devices only.', systemPrompt: 'You list devices.', maxTokens: 512, temperature: 0.2 })(invocation('b', [image]), lambdaContext());
  expect(result).toMatchObject({ status: 'SUCCEEDED', findings: [] });
  const input = bedrock.commandCalls(ConverseCommand)[0].args[0].input;
  expect(input.system).toEqual([{ text: 'You list devices.' }]);
  expect(input.inferenceConfig).toEqual({ maxTokens: 512, temperature: 0.2 });
  expect(input.messages![0].content![1].text).toBe('Modality: CT.\nList devices only.');
});

test.each([
  ['an answer in prose instead of the tool', {
    output: { message: { role: 'assistant', content: [{ text: MODEL_TEXT }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 1600, outputTokens: 40, totalTokens: 1640 },
    metrics: { latencyMs: 1 },
    $metadata: {},
  } as ConverseCommandOutput],
  ['confidence out of range', toolAnswer({ findings: [{ label: MODEL_TEXT, confidence: 74 }] })],
  ['findings as a string', toolAnswer({ findings: MODEL_TEXT })],
  ['a truncated tool call (max_tokens)', toolAnswer({ findings: [{ label: 'Opacity', confidence: 0.7 }] }, 'max_tokens')],
])('malformed output (%s): FAILED MALFORMED_MODEL_OUTPUT, tokens still recorded, model text logged nowhere', async (_what, response) => {
  const image = await storeImage(engines, analysisPng());
  bedrock.on(ConverseCommand).resolves(response);
  const log = recordingLog();
  const result = await handler({}, log)(invocation('bedrock', [image]), lambdaContext());
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'MALFORMED_MODEL_OUTPUT', findings: [], tokenUsage: { inputTokens: expect.any(Number) } });
  expect(log.lines.find((l) => l.level === 'warn')).toMatchObject({ message: 'Model answer refused', fields: { problem: expect.any(String) } });
  expectNowhere('DOE^JANE', result, log);
  expectNowhere('MRN-0042', result, log);
});

test.each([
  ['ThrottlingException', new ThrottlingException({ message: 'Too many tokens', $metadata: { httpStatusCode: 429 } }), 'AnalyzerThrottledError'],
  ['ModelTimeoutException', new ModelTimeoutException({ message: 'timeout', $metadata: { httpStatusCode: 408 } }), 'AnalyzerTimeoutError'],
  ['ModelNotReadyException', new ModelNotReadyException({ message: 'not ready', $metadata: { httpStatusCode: 429 } }), 'AnalyzerUnavailableError'],
  ['ServiceUnavailableException', new ServiceUnavailableException({ message: 'unavailable', $metadata: { httpStatusCode: 503 } }), 'AnalyzerUnavailableError'],
  ['InternalServerException', new InternalServerException({ message: 'internal', $metadata: { httpStatusCode: 500 } }), 'AnalyzerUnavailableError'],
])('%s is thrown under a retryable name', async (_name, error, thrown) => {
  const image = await storeImage(engines, analysisPng());
  bedrock.on(ConverseCommand).rejects(error);
  await expect(handler()(invocation('bedrock', [image]), lambdaContext())).rejects.toMatchObject({ name: thrown });
});

test.each([
  ['AccessDeniedException', new AccessDeniedException({ message: SERVICE_MESSAGE, $metadata: { httpStatusCode: 403 } }), 'ACCESS_DENIED'],
  ['ResourceNotFoundException', new ResourceNotFoundException({ message: SERVICE_MESSAGE, $metadata: { httpStatusCode: 404 } }), 'MODEL_NOT_AVAILABLE'],
  ['ValidationException', new ValidationException({ message: SERVICE_MESSAGE, $metadata }), 'INVALID_REQUEST'],
  ['ModelErrorException', new ModelErrorException({ message: SERVICE_MESSAGE, $metadata: { httpStatusCode: 424 } }), 'MODEL_ERROR'],
])('%s fails fast with its code after one call', async (_name, error, errorCode) => {
  const image = await storeImage(engines, analysisPng());
  bedrock.on(ConverseCommand).rejects(error);
  const log = recordingLog();
  const result = await handler({}, log)(invocation('bedrock', [image]), lambdaContext());
  expect(result).toMatchObject({ status: 'FAILED', errorCode, modelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0' });
  expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
  expectNowhere(SERVICE_MESSAGE, result, log);
});

test('an image over 3.75 MB, or over 8,000 px a side, is FAILED IMAGE_TOO_LARGE without a call', async () => {
  const heavy = await storeImage(engines, bulkyPng(3.75 * 1024 * 1024 + 1));
  expect(await handler()(invocation('bedrock', [heavy]), lambdaContext())).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_TOO_LARGE' });
  const wide = await storeImage(engines, analysisPng(8001, 60));
  expect(await handler()(invocation('bedrock', [wide]), lambdaContext())).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_TOO_LARGE' });
  expect(bedrock.calls()).toHaveLength(0);
});

test('a batch of two: one call each, token usage summed', async () => {
  const images = [await storeImage(engines, analysisPng()), await storeImage(engines, analysisPng())];
  bedrock.on(ConverseCommand).resolves(toolAnswer({ findings: [{ label: 'Opacity', confidence: 0.6 }] }));
  const result = await handler()(invocation('bedrock', images), lambdaContext());
  expect(result).toMatchObject({ status: 'SUCCEEDED', imageCount: 2, tokenUsage: { inputTokens: 3240, outputTokens: 360 } });
  expect(result.findings.map((f) => f.imageRef)).toEqual(images.map((i) => i.imageRef));
});
