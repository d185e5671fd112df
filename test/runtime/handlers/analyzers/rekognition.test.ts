import {
  AccessDeniedException, DetectCustomLabelsCommand, DetectLabelsCommand, ImageTooLargeException, InternalServerError,
  InvalidImageFormatException, InvalidParameterException, InvalidS3ObjectException, LimitExceededException,
  ProvisionedThroughputExceededException, RekognitionClient, ResourceNotFoundException, ResourceNotReadyException, ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { analysisPng, expectNowhere, expectValidResult, invocation, lambdaContext, bulkyPng, missingImage, recordingLog, storeImage, suiteEngines } from './support';
import { RekognitionSettings } from '../../../../src/core/service-answers/settings';
import { handleRekognition } from '../../../../src/runtime/handlers/analyzers/rekognition.lambda';
import { TEST_REGION } from '../../../support/local-engines';

const ARN = 'arn:aws:rekognition:us-east-1:111122223333:project/chest-xray/version/chest-xray.2024-05-01T10.00.00/1714557600000';
const $metadata = { httpStatusCode: 400 };
const SERVICE_MESSAGE = 'User: arn:aws:sts::111122223333:assumed-role/x/y is not authorized to perform: rekognition:DetectLabels';

const engines = suiteEngines();

const client = new RekognitionClient({ region: TEST_REGION });
const rekognition = mockClient(client);
beforeEach(() => rekognition.reset());

function handler(settings: Partial<RekognitionSettings> = {}, log = recordingLog()) {
  return handleRekognition({ s3: engines.s3, rekognition: client, settings: { service: 'rekognition', maxLabels: 20, ...settings }, log });
}

test('DetectLabels: the analysis PNG as bytes, labels mapped onto the result contract', async () => {
  const png = analysisPng();
  const image = await storeImage(engines, png);
  // Shaped like the documented DetectLabelsResponse.
  rekognition.on(DetectLabelsCommand).resolves({
    Labels: [
      { Name: 'X-Ray', Confidence: 97.5123, Instances: [], Parents: [{ Name: 'Medical Imaging' }], Categories: [{ Name: 'Medical' }] },
      { Name: 'Person', Confidence: 88.4, Instances: [{ BoundingBox: { Width: 0.4, Height: 0.6, Left: 0.3, Top: 0.2 }, Confidence: 86.25 }] },
    ],
    LabelModelVersion: '3.0',
  });
  const inv = invocation('rekognition', [image]);
  const result = await handler({ minConfidence: 70, maxLabels: 10 })(inv, lambdaContext());
  expect(result).toMatchObject({
    schemaVersion: '2.0',
    analyzerName: 'rekognition',
    modelId: 'amazon-rekognition-detect-labels',
    modelVersion: '3.0',
    status: 'SUCCEEDED',
    imageCount: 1,
    findings: [
      { label: 'X-Ray', confidence: 0.975123, imageRef: image.imageRef },
      { label: 'Person', confidence: 0.8625, imageRef: image.imageRef, region: { left: 0.3, top: 0.2, width: 0.4, height: 0.6 } },
    ],
  });
  expect(result.findings[0].region).toBeUndefined();
  expectValidResult(result, inv);
  const [call] = rekognition.commandCalls(DetectLabelsCommand);
  expect(call.args[0].input).toMatchObject({ MaxLabels: 10, MinConfidence: 70 });
  expect(Buffer.from(call.args[0].input.Image!.Bytes!)).toEqual(png);
});

test('Custom Labels: DetectCustomLabels with the project version; model id and version from its ARN', async () => {
  const image = await storeImage(engines, analysisPng());
  rekognition.on(DetectCustomLabelsCommand).resolves({
    CustomLabels: [{ Name: 'pneumothorax', Confidence: 91.2, Geometry: { BoundingBox: { Width: 0.2, Height: 0.3, Left: 0.6, Top: 0.1 } } }],
  });
  const result = await handler({ projectVersionArn: ARN })(invocation('cxr', [image]), lambdaContext());
  expect(result).toMatchObject({
    status: 'SUCCEEDED',
    modelId: 'rekognition-custom-labels/chest-xray',
    modelVersion: 'chest-xray.2024-05-01T10.00.00',
    findings: [{ label: 'pneumothorax', confidence: 0.912, region: { left: 0.6, top: 0.1 } }],
  });
  expect(rekognition.commandCalls(DetectCustomLabelsCommand)[0].args[0].input).toMatchObject({ ProjectVersionArn: ARN, MaxResults: 20 });
  expect(rekognition.commandCalls(DetectLabelsCommand)).toHaveLength(0);
});

test.each([
  ['ThrottlingException', new ThrottlingException({ message: 'Slow down', $metadata }), 'AnalyzerThrottledError'],
  ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'TPS', $metadata }), 'AnalyzerThrottledError'],
  ['LimitExceededException', new LimitExceededException({ message: 'limit', $metadata }), 'AnalyzerThrottledError'],
  ['InternalServerError', new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }), 'AnalyzerUnavailableError'],
])('%s is thrown under a retryable name for the workflow to retry', async (_name, error, thrown) => {
  const image = await storeImage(engines, analysisPng());
  rekognition.on(DetectLabelsCommand).rejects(error);
  await expect(handler()(invocation('rekognition', [image]), lambdaContext())).rejects.toMatchObject({ name: thrown });
});

test.each([
  ['AccessDeniedException', new AccessDeniedException({ message: SERVICE_MESSAGE, $metadata }), 'ACCESS_DENIED'],
  ['ImageTooLargeException', new ImageTooLargeException({ message: SERVICE_MESSAGE, $metadata }), 'IMAGE_TOO_LARGE'],
  ['InvalidImageFormatException', new InvalidImageFormatException({ message: SERVICE_MESSAGE, $metadata }), 'INVALID_REQUEST'],
  ['InvalidParameterException', new InvalidParameterException({ message: SERVICE_MESSAGE, $metadata }), 'INVALID_REQUEST'],
  ['InvalidS3ObjectException', new InvalidS3ObjectException({ message: SERVICE_MESSAGE, $metadata }), 'INVALID_REQUEST'],
  ['ResourceNotFoundException', new ResourceNotFoundException({ message: SERVICE_MESSAGE, $metadata }), 'MODEL_NOT_AVAILABLE'],
  ['ResourceNotReadyException', new ResourceNotReadyException({ message: SERVICE_MESSAGE, $metadata }), 'MODEL_NOT_AVAILABLE'],
])('%s fails fast: FAILED with its code after one call, no message kept', async (_name, error, errorCode) => {
  const image = await storeImage(engines, analysisPng());
  rekognition.on(DetectCustomLabelsCommand).rejects(error);
  const log = recordingLog();
  const result = await handler({ projectVersionArn: ARN }, log)(invocation('cxr', [image]), lambdaContext());
  expect(result).toMatchObject({ status: 'FAILED', errorCode, findings: [], modelId: 'rekognition-custom-labels/chest-xray' });
  expect(rekognition.commandCalls(DetectCustomLabelsCommand)).toHaveLength(1);
  expectNowhere(SERVICE_MESSAGE, result, log);
});

test('an image over 5 MB is FAILED IMAGE_TOO_LARGE without a call (and without reading it)', async () => {
  const png = bulkyPng(5 * 1024 * 1024 + 1);
  const image = await storeImage(engines, png);
  const result = await handler()(invocation('rekognition', [image]), lambdaContext());
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_TOO_LARGE' });
  expect(rekognition.calls()).toHaveLength(0);
});

test('pixel limits come from the PNG header: 10,000 px for DetectLabels, 4,096 px for Custom Labels, 80/64 px at least', async () => {
  const wide = await storeImage(engines, analysisPng(10_001, 100));
  expect((await handler()(invocation('r', [wide]), lambdaContext())).errorCode).toBe('IMAGE_TOO_LARGE');
  const custom = await storeImage(engines, analysisPng(4097, 100));
  expect((await handler({ projectVersionArn: ARN })(invocation('r', [custom]), lambdaContext())).errorCode).toBe('IMAGE_TOO_LARGE');
  const small = await storeImage(engines, analysisPng(70, 200));
  expect((await handler()(invocation('r', [small]), lambdaContext())).errorCode).toBe('INVALID_REQUEST');
  expect(rekognition.calls()).toHaveLength(0);
  // 70 px is enough for Custom Labels (64 px).
  rekognition.on(DetectCustomLabelsCommand).resolves({ CustomLabels: [] });
  expect((await handler({ projectVersionArn: ARN })(invocation('r', [small]), lambdaContext())).status).toBe('SUCCEEDED');
});

test('a missing derived image is FAILED IMAGE_MISSING; an unknown error is thrown unchanged', async () => {
  const result = await handler()(invocation('rekognition', [missingImage(engines)]), lambdaContext());
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_MISSING' });
  expect(rekognition.calls()).toHaveLength(0);
  const image = await storeImage(engines, analysisPng());
  const strange = Object.assign(new Error('something new'), { name: 'BrandNewException' });
  rekognition.on(DetectLabelsCommand).rejects(strange);
  await expect(handler()(invocation('rekognition', [image]), lambdaContext())).rejects.toBe(strange);
});

test('a batch: every image is analysed; the first that fails fails the batch', async () => {
  const first = await storeImage(engines, analysisPng());
  const second = await storeImage(engines, analysisPng());
  rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'X-Ray', Confidence: 90 }], LabelModelVersion: '3.0' });
  const both = await handler()(invocation('rekognition', [first, second]), lambdaContext());
  expect(both).toMatchObject({ status: 'SUCCEEDED', imageCount: 2 });
  expect(both.findings.map((f) => f.imageRef)).toEqual([first.imageRef, second.imageRef]);
  rekognition.reset();
  rekognition.on(DetectLabelsCommand)
    .resolvesOnce({ Labels: [{ Name: 'X-Ray', Confidence: 90 }] })
    .rejectsOnce(new AccessDeniedException({ message: 'denied', $metadata }));
  const failed = await handler()(invocation('rekognition', [first, second, missingImage(engines)]), lambdaContext());
  expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'ACCESS_DENIED', findings: [], imageCount: 3 });
  expect(rekognition.commandCalls(DetectLabelsCommand)).toHaveLength(2);
});

test('one PHI-free log line per batch', async () => {
  const image = await storeImage(engines, analysisPng());
  rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'X-Ray', Confidence: 90 }] });
  const log = recordingLog();
  await handler({}, log)(invocation('rekognition', [image]), lambdaContext());
  expect(log.lines).toEqual([{ level: 'info', message: 'Batch analyzed', fields: expect.objectContaining({ analyzerName: 'rekognition', status: 'SUCCEEDED', findingCount: 1, imageCount: 1 }) }]);
  expect(JSON.stringify(log.lines)).not.toContain(image.analysisKey);
});
