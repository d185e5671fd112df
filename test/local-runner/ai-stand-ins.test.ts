/**
 * The local runner's AI-service stand-ins, answered through the real SDK
 * clients (serializers, error parsing) and the analyzers' own handlers: what
 * the demo runs, minus the workflow.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AwsStandIns, StandInBackends } from '../../scripts/local-runner/aws-stand-ins';
import { SageMakerInputFormat } from '../../src/core/service-answers/sagemaker-answer';
import { handleBedrock } from '../../src/runtime/handlers/analyzers/bedrock.lambda';
import { handleRekognition } from '../../src/runtime/handlers/analyzers/rekognition.lambda';
import { handleSageMakerAsync } from '../../src/runtime/handlers/analyzers/sagemaker-async.lambda';
import { handleSageMaker } from '../../src/runtime/handlers/analyzers/sagemaker.lambda';
import { makePng } from '../fixtures/images';
import { analysisPng, bulkyPng, expectValidResult, invocation, lambdaContext, recordingLog, storeImage } from '../runtime/handlers/analyzers/support';
import { LocalEngines, startLocalEngines, TEST_REGION } from '../support/local-engines';

const unused = () => { throw new Error('not used by the AI stand-ins'); };
let engines: LocalEngines;
let standIns: AwsStandIns;

beforeAll(async () => {
  engines = await startLocalEngines();
  await engines.s3.send(new CreateBucketCommand({ Bucket: 'local-sagemaker-async' }));
  const backends: StandInBackends = {
    putEvents: unused,
    publish: unused,
    startExecution: unused,
    describeExecution: unused,
    sendTaskSuccess: unused,
    sendMessages: unused,
    sendTaskFailure: unused,
    getSecretValue: unused,
    putObject: async (bucket, key, body) => { await engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })); },
  };
  standIns = new AwsStandIns(backends);
  await standIns.start();
});
afterAll(async () => {
  await standIns.stop();
  await engines.stop();
});

const clientConfig = (endpoint = standIns.endpoint) => ({ region: TEST_REGION, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

test('the endpoint variables name the three AI services', () => {
  expect(standIns.endpointEnvironment).toMatchObject({
    AWS_ENDPOINT_URL_REKOGNITION: standIns.endpoint,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIns.http2Endpoint,
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: standIns.endpoint,
  });
});

test('Rekognition DetectLabels: recorded labels filtered by MinConfidence and MaxLabels, limits enforced as documented', async () => {
  const rekognition = new RekognitionClient(clientConfig());
  const answer = await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: analysisPng() }, MinConfidence: 70 }));
  expect(answer.LabelModelVersion).toBe('3.0');
  expect(answer.Labels!.map((l) => l.Name)).toEqual(['X-Ray', 'Medical Imaging X-Ray Film', 'Chest']);
  expect(answer.Labels![2].Instances![0].BoundingBox).toEqual({ Width: 0.62, Height: 0.71, Left: 0.19, Top: 0.12 });
  expect((await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: analysisPng() }, MaxLabels: 1 }))).Labels).toHaveLength(1);
  await expect(rekognition.send(new DetectLabelsCommand({ Image: { Bytes: Buffer.from('GIF89a') } }))).rejects.toMatchObject({ name: 'InvalidImageFormatException' });
  await expect(rekognition.send(new DetectLabelsCommand({ Image: { Bytes: bulkyPng(5 * 1024 * 1024 + 1) } }))).rejects.toMatchObject({ name: 'ImageTooLargeException' });
});

test('the Rekognition handler through the stand-in', async () => {
  const image = await storeImage(engines, analysisPng());
  const handle = handleRekognition({ s3: engines.s3, rekognition: new RekognitionClient(clientConfig()), settings: { service: 'rekognition', maxLabels: 20 }, log: recordingLog() });
  const inv = invocation('rekognition', [image]);
  const result = await handle(inv, lambdaContext());
  expect(result).toMatchObject({ status: 'SUCCEEDED', modelVersion: '3.0', findings: expect.arrayContaining([expect.objectContaining({ label: 'Chest', confidence: 0.7235 })]) });
  expectValidResult(result, inv);
  const custom = await handleRekognition({
    s3: engines.s3,
    rekognition: new RekognitionClient(clientConfig()),
    settings: { service: 'rekognition', maxLabels: 20, projectVersionArn: 'arn:aws:rekognition:us-east-1:000000000000:project/local/version/local.1/1' },
    log: recordingLog(),
  })(inv, lambdaContext());
  expect(custom).toMatchObject({ status: 'SUCCEEDED', findings: [{ label: 'lung-field', confidence: 0.889 }] });
});

test('Bedrock Converse: the forced tool call comes back, chosen by the modality in the prompt; a missing tool is a ValidationException', async () => {
  const bedrock = new BedrockRuntimeClient(clientConfig(standIns.http2Endpoint));
  const settings = { service: 'bedrock' as const, modelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0', recordedModelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0', modelVersion: 'v2:0', maxTokens: 2048, temperature: 0 };
  const handle = handleBedrock({ s3: engines.s3, bedrock, settings, log: recordingLog() });
  const dx = await storeImage(engines, analysisPng(), { modality: 'DX' });
  const inv = invocation('bedrock', [dx]);
  const result = await handle(inv, lambdaContext());
  expect(result).toMatchObject({
    status: 'SUCCEEDED',
    tokenUsage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    findings: [expect.objectContaining({ label: 'Possible small left pleural effusion', code: '60046008' }), expect.objectContaining({ label: 'Cardiac silhouette within normal size' })],
  });
  expectValidResult(result, inv);
  const ct = await storeImage(engines, analysisPng(), { modality: 'CT' });
  expect((await handle(invocation('bedrock', [ct]), lambdaContext())).findings.map((f) => f.label)).toEqual(['No focal abnormality visible on this slice']);
  // Too few tokens allowed: the stand-in stops like a model would, and the analyzer calls it malformed.
  const stingy = handleBedrock({ s3: engines.s3, bedrock, settings: { ...settings, maxTokens: 10 }, log: recordingLog() });
  const truncated = await stingy(inv, lambdaContext());
  expect(truncated).toMatchObject({ status: 'FAILED', errorCode: 'MALFORMED_MODEL_OUTPUT' });
  await expect(bedrock.send(new ConverseCommand({ modelId: settings.modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })))
    .rejects.toMatchObject({ name: 'ValidationException' });
});

test('SageMaker InvokeEndpoint: the stand-in model finds the bright region of the PNG; wrong content is a ModelError', async () => {
  const sageMaker = new SageMakerRuntimeClient(clientConfig());
  const settings = { service: 'sagemaker' as const, endpointName: 'local-cxr-detector', inputFormat: SageMakerInputFormat.PNG, maxPayloadBytes: 6 * 1024 * 1024, modelId: 'local-cxr-detector' };
  // Bright square in the right lower quarter.
  const png = makePng(100, 80, (x, y) => (x >= 60 && x < 90 && y >= 40 && y < 70 ? 240 : 20));
  const image = await storeImage(engines, png);
  const inv = invocation('local-cxr-detector', [image]);
  const result = await handleSageMaker({ s3: engines.s3, sageMaker, settings, log: recordingLog() })(inv, lambdaContext());
  expect(result).toMatchObject({
    status: 'SUCCEEDED',
    modelVersion: 'local-stand-in-1',
    findings: [{ label: 'High-density region', region: { left: 0.6, top: 0.5, width: 0.3, height: 0.375 } }],
  });
  expectValidResult(result, inv);
  const dicomSettings = { ...settings, inputFormat: SageMakerInputFormat.DICOM };
  const dicomHandler = handleSageMaker({ s3: engines.s3, sageMaker, settings: dicomSettings, log: recordingLog() });
  const asDicom = await dicomHandler(
    invocation('x', [{ ...image, dicomKey: image.analysisKey }]), lambdaContext());
  expect(asDicom).toMatchObject({ status: 'FAILED', errorCode: 'MODEL_ERROR' });
});

test('SageMaker InvokeEndpointAsync: the answer lands in S3 and the poll reads it', async () => {
  const sageMaker = new SageMakerRuntimeClient(clientConfig());
  const image = await storeImage(engines, analysisPng());
  const handle = handleSageMakerAsync({
    s3: engines.s3,
    sageMaker,
    log: recordingLog(),
    settings: {
      service: 'sagemaker',
      endpointName: 'local-async',
      inputFormat: SageMakerInputFormat.PNG,
      maxPayloadBytes: 1,
      modelId: 'local-async',
      async: { maxWaitSeconds: 600, initialPollSeconds: 5, outputLocations: ['s3://local-sagemaker-async/output/'] },
    },
  });
  const started = await handle({ action: 'start', ...invocation('local-async', [image]) });
  expect(started).toMatchObject({ done: false, pending: { requests: [{ outputLocation: expect.stringMatching(/^s3:\/\/local-sagemaker-async\/output\/.+\.out$/) }] } });
  expect(await handle({ action: 'poll', progress: started })).toMatchObject({ done: true, result: { status: 'SUCCEEDED', modelVersion: 'local-stand-in-1' } });
  expect(standIns.ai.calls.map((c) => c.service)).toEqual(expect.arrayContaining(['Rekognition', 'Bedrock Runtime', 'SageMaker Runtime']));
});
