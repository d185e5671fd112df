import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  InternalDependencyException, InternalFailure, InvokeEndpointAsyncCommand, InvokeEndpointCommand, InvokeEndpointCommandOutput, ModelError,
  ModelNotReadyException, SageMakerRuntimeClient, SageMakerRuntimeServiceException, ServiceUnavailable, ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { analysisPng, bulkyPng, expectNowhere, expectValidResult, invocation, lambdaContext, recordingLog, storeImage, suiteEngines } from './support';
import { SageMakerInputFormat } from '../../../../src/core/service-answers/sagemaker-answer';
import { AsyncBatchProgress } from '../../../../src/core/service-answers/sagemaker-async';
import { SageMakerSettings } from '../../../../src/core/service-answers/settings';
import { handleSageMakerAsync } from '../../../../src/runtime/handlers/analyzers/sagemaker-async.lambda';
import { handleSageMaker } from '../../../../src/runtime/handlers/analyzers/sagemaker.lambda';
import { TEST_REGION } from '../../../support/local-engines';

const OUTPUT_BUCKET = 'async-output-bucket';
const SERVICE_MESSAGE = 'Received client error (400) from primary with message "bad input for patient DOE^JANE"';

const engines = suiteEngines(async (e) => { await e.s3.send(new CreateBucketCommand({ Bucket: OUTPUT_BUCKET })); });

const client = new SageMakerRuntimeClient({ region: TEST_REGION });
const sageMaker = mockClient(client);
beforeEach(() => sageMaker.reset());

const SETTINGS: SageMakerSettings = {
  service: 'sagemaker', endpointName: 'cxr-detector', inputFormat: SageMakerInputFormat.PNG, maxPayloadBytes: 6 * 1024 * 1024, modelId: 'cxr-detector',
};

function handler(settings: Partial<SageMakerSettings> = {}, log = recordingLog()) {
  return handleSageMaker({ s3: engines.s3, sageMaker: client, settings: { ...SETTINGS, ...settings }, log });
}

/** InvokeEndpoint's documented output: the container's body, its content type, the variant that answered. */
function endpointAnswer(body: unknown, variant = 'AllTraffic'): InvokeEndpointCommandOutput {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { Body: new TextEncoder().encode(text) as unknown as InvokeEndpointCommandOutput['Body'], ContentType: 'application/json', InvokedProductionVariant: variant, $metadata: {} };
}

describe('real-time endpoint', () => {
  test('InvokeEndpoint with the analysis PNG; the JSON answer becomes findings', async () => {
    const png = analysisPng();
    const image = await storeImage(engines, png);
    sageMaker.on(InvokeEndpointCommand).resolves(endpointAnswer({
      findings: [{ label: 'Pneumothorax', confidence: 0.91, code: 'RID5352', codeSystem: 'http://radlex.org', region: { left: 0.6, top: 0.1, width: 0.25, height: 0.4 } }],
      modelVersion: 'cxr-2.3.1',
    }));
    const inv = invocation('cxr-detector', [image]);
    const result = await handler()(inv, lambdaContext(75_000));
    expect(result).toMatchObject({
      modelId: 'cxr-detector',
      modelVersion: 'cxr-2.3.1',
      status: 'SUCCEEDED',
      findings: [{ label: 'Pneumothorax', confidence: 0.91, imageRef: image.imageRef, code: 'RID5352', codeSystem: 'http://radlex.org' }],
    });
    expectValidResult(result, inv);
    const input = sageMaker.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input).toMatchObject({ EndpointName: 'cxr-detector', ContentType: 'image/png', Accept: 'application/json' });
    expect(Buffer.from(input.Body as Uint8Array)).toEqual(png);
  });

  test('DICOM input sends the de-identified Part 10 object as application/dicom; the variant is the version when the model names none', async () => {
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(64, 1)]);
    const image = await storeImage(engines, analysisPng());
    const dicomKey = image.analysisKey.replace('analysis.png', 'instance.dcm');
    await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.derived, Key: dicomKey, Body: dicom }));
    sageMaker.on(InvokeEndpointCommand).resolves(endpointAnswer({ findings: [] }, 'variant-b'));
    const result = await handler({ inputFormat: SageMakerInputFormat.DICOM })(invocation('cxr', [{ ...image, dicomKey }]), lambdaContext());
    expect(result).toMatchObject({ status: 'SUCCEEDED', modelVersion: 'variant-b', findings: [] });
    const input = sageMaker.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input.ContentType).toBe('application/dicom');
    expect(Buffer.from(input.Body as Uint8Array)).toEqual(dicom);
    // An image uploaded as PNG has no DICOM to send.
    const plain = await handler({ inputFormat: SageMakerInputFormat.DICOM })(invocation('cxr', [image]), lambdaContext());
    expect(plain).toMatchObject({ status: 'FAILED', errorCode: 'INVALID_REQUEST' });
  });

  test.each([
    ['not JSON', 'pneumothorax 0.91'],
    ['class probabilities', { pneumothorax: 0.91 }],
    ['a finding without confidence', { findings: [{ label: 'Pneumothorax' }] }],
  ])('an answer outside the contract (%s) is FAILED MALFORMED_MODEL_OUTPUT', async (_what, body) => {
    const image = await storeImage(engines, analysisPng());
    sageMaker.on(InvokeEndpointCommand).resolves(endpointAnswer(body));
    expect(await handler()(invocation('cxr', [image]), lambdaContext())).toMatchObject({ status: 'FAILED', errorCode: 'MALFORMED_MODEL_OUTPUT' });
  });

  const throttling = new SageMakerRuntimeServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
  test.each([
    ['ThrottlingException', throttling, 'AnalyzerThrottledError'],
    ['ModelError 429', new ModelError({ message: 'busy', OriginalStatusCode: 429, $metadata: { httpStatusCode: 424 } }), 'AnalyzerThrottledError'],
    ['ModelNotReadyException', new ModelNotReadyException({ message: 'loading', $metadata: { httpStatusCode: 429 } }), 'AnalyzerUnavailableError'],
    ['ServiceUnavailable', new ServiceUnavailable({ message: 'x', $metadata: { httpStatusCode: 503 } }), 'AnalyzerUnavailableError'],
    ['InternalFailure', new InternalFailure({ message: 'x', $metadata: { httpStatusCode: 500 } }), 'AnalyzerUnavailableError'],
    ['InternalDependencyException', new InternalDependencyException({ message: 'x', $metadata: { httpStatusCode: 530 } }), 'AnalyzerUnavailableError'],
  ])('%s is thrown under a retryable name', async (_name, error, thrown) => {
    const image = await storeImage(engines, analysisPng());
    sageMaker.on(InvokeEndpointCommand).rejects(error);
    await expect(handler()(invocation('cxr', [image]), lambdaContext())).rejects.toMatchObject({ name: thrown });
  });

  const denied = new SageMakerRuntimeServiceException({ name: 'AccessDeniedException', $fault: 'client', message: SERVICE_MESSAGE, $metadata: { httpStatusCode: 400 } });
  test.each([
    ['AccessDeniedException', denied, 'ACCESS_DENIED'],
    ['ModelError 500', new ModelError({ message: SERVICE_MESSAGE, OriginalStatusCode: 500, OriginalMessage: SERVICE_MESSAGE, $metadata: { httpStatusCode: 424 } }), 'MODEL_ERROR'],
    ['ValidationError (bad request)', new ValidationError({ message: SERVICE_MESSAGE, $metadata: { httpStatusCode: 400 } }), 'INVALID_REQUEST'],
    ['ValidationError (no such endpoint)', new ValidationError({ message: 'Endpoint cxr-detector of account 111122223333 not found.', $metadata: { httpStatusCode: 400 } }), 'MODEL_NOT_AVAILABLE'],
  ])('%s fails fast with its code, no message kept', async (_name, error, errorCode) => {
    const image = await storeImage(engines, analysisPng());
    sageMaker.on(InvokeEndpointCommand).rejects(error);
    const log = recordingLog();
    const result = await handler({}, log)(invocation('cxr', [image]), lambdaContext());
    expect(result).toMatchObject({ status: 'FAILED', errorCode });
    expect(sageMaker.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    expectNowhere('DOE^JANE', result, log);
  });

  test('an input over maxPayloadBytes is FAILED IMAGE_TOO_LARGE without a call', async () => {
    const image = await storeImage(engines, bulkyPng(2 * 1024 * 1024));
    expect(await handler({ maxPayloadBytes: 1024 * 1024 })(invocation('cxr', [image]), lambdaContext())).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_TOO_LARGE' });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});

describe('asynchronous endpoint', () => {
  const ASYNC: SageMakerSettings = {
    ...SETTINGS,
    async: { maxWaitSeconds: 900, initialPollSeconds: 10, outputLocations: [`s3://${OUTPUT_BUCKET}/async/out/`, `s3://${OUTPUT_BUCKET}/async/failed/`] },
  };
  let now = 1_700_000_000_000;
  const asyncHandler = (log = recordingLog()) => handleSageMakerAsync({
    s3: engines.s3, sageMaker: client, settings: ASYNC as SageMakerSettings & { async: NonNullable<SageMakerSettings['async']> }, log, clock: () => now,
  });
  let request = 0;
  function acceptRequests(): void {
    sageMaker.on(InvokeEndpointAsyncCommand).callsFake(() => {
      request += 1;
      return { InferenceId: `inf-${request}`, OutputLocation: `s3://${OUTPUT_BUCKET}/async/out/inf-${request}.out`, FailureLocation: `s3://${OUTPUT_BUCKET}/async/failed/inf-${request}-error.out` };
    });
  }
  const put = (uri: string, body: unknown) => {
    const [, , bucket, ...key] = uri.split('/');
    return engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key.join('/'), Body: typeof body === 'string' ? body : JSON.stringify(body) }));
  };

  test('submit with the derived object as input, poll until the answer is in S3', async () => {
    acceptRequests();
    const image = await storeImage(engines, analysisPng());
    const handle = asyncHandler();
    const started = await handle({ action: 'start', ...invocation('cxr-async', [image]) });
    expect(started).toMatchObject({ done: false, waitSeconds: 10, pending: { analyzerName: 'cxr-async', deadline: now + 900_000 } });
    expect(sageMaker.commandCalls(InvokeEndpointAsyncCommand)[0].args[0].input).toEqual({
      EndpointName: 'cxr-detector',
      InputLocation: `s3://${engines.buckets.derived}/${image.analysisKey}`,
      ContentType: 'image/png',
      Accept: 'application/json',
      RequestTTLSeconds: 900,
      InvocationTimeoutSeconds: 900,
    });
    now += 10_000;
    const waiting = await handle({ action: 'poll', progress: started });
    expect(waiting).toMatchObject({ done: false, waitSeconds: 20 });
    await put(started.pending!.requests[0].outputLocation, { findings: [{ label: 'Nodule', confidence: 0.66 }], modelVersion: 'async-1' });
    now += 20_000;
    const done: AsyncBatchProgress = await handle({ action: 'poll', progress: waiting });
    expect(done).toMatchObject({ done: true, result: { status: 'SUCCEEDED', modelVersion: 'async-1', durationMs: 30_000, imageCount: 1, findings: [{ label: 'Nodule', confidence: 0.66, imageRef: image.imageRef }] } });
    expectValidResult(done.result!, invocation('cxr-async', [image]));
  });

  test('a failure written to the failure path is FAILED MODEL_ERROR; no answer by the deadline is FAILED TIMEOUT', async () => {
    acceptRequests();
    const image = await storeImage(engines, analysisPng());
    const handle = asyncHandler();
    const failing = await handle({ action: 'start', ...invocation('cxr-async', [image]) });
    await put(failing.pending!.requests[0].failureLocation!, SERVICE_MESSAGE);
    const log = recordingLog();
    const failed = await asyncHandler(log)({ action: 'poll', progress: failing });
    expect(failed).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'MODEL_ERROR' } });
    expectNowhere('DOE^JANE', failed, log);
    const slow = await handle({ action: 'start', ...invocation('cxr-async', [image]) });
    now += 900_000;
    expect(await handle({ action: 'poll', progress: slow })).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'TIMEOUT' } });
  });

  test('a malformed answer, and an output outside the configured prefixes, fail the batch', async () => {
    acceptRequests();
    const image = await storeImage(engines, analysisPng());
    const handle = asyncHandler();
    const started = await handle({ action: 'start', ...invocation('cxr-async', [image]) });
    await put(started.pending!.requests[0].outputLocation, '{"findings": "none"}');
    expect(await handle({ action: 'poll', progress: started })).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'MALFORMED_MODEL_OUTPUT' } });
    sageMaker.reset();
    sageMaker.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: `s3://${engines.buckets.derived}/studies/elsewhere.out` });
    expect(await handle({ action: 'start', ...invocation('cxr-async', [image]) })).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'INVALID_REQUEST' } });
    const forged: AsyncBatchProgress = { ...started, pending: { ...started.pending!, requests: [{ imageRef: image.imageRef, outputLocation: `s3://${engines.buckets.derived}/${image.analysisKey}` }] } };
    expect(await handle({ action: 'poll', progress: forged })).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'INVALID_REQUEST' } });
  });

  test('throttled submissions are retried by the workflow; a refused one fails at once', async () => {
    const image = await storeImage(engines, analysisPng());
    sageMaker.on(InvokeEndpointAsyncCommand).rejects(new ServiceUnavailable({ message: 'x', $metadata: { httpStatusCode: 503 } }));
    await expect(asyncHandler()({ action: 'start', ...invocation('cxr-async', [image]) })).rejects.toMatchObject({ name: 'AnalyzerUnavailableError' });
    sageMaker.reset();
    sageMaker.on(InvokeEndpointAsyncCommand).rejects(new ValidationError({ message: 'Endpoint cxr-detector of account 1 not found.', $metadata: { httpStatusCode: 400 } }));
    expect(await asyncHandler()({ action: 'start', ...invocation('cxr-async', [image]) })).toMatchObject({ done: true, result: { status: 'FAILED', errorCode: 'MODEL_NOT_AVAILABLE' } });
    await expect(asyncHandler()({ action: 'unknown' } as never)).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});
