/**
 * A service that does not answer: the call is aborted just before the
 * function's own timeout and thrown as AnalyzerTimeoutError (the workflow
 * retries it once), instead of the function being killed mid-call.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { analysisPng, invocation, lambdaContext, recordingLog, storeImage, suiteEngines } from './support';
import { handleRekognition } from '../../../../src/runtime/handlers/analyzers/rekognition.lambda';
import { DEADLINE_MARGIN_MS } from '../../../../src/runtime/steps/analyzers/analyze-batch';
import { TEST_REGION } from '../../../support/local-engines';

const engines = suiteEngines();
let silent: http.Server;
let requests = 0;
beforeAll(async () => {
  silent = http.createServer(() => { requests += 1; /* never answers */ });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

test('a call still in flight at the deadline is aborted and thrown as AnalyzerTimeoutError', async () => {
  const rekognition = new RekognitionClient({
    region: TEST_REGION,
    endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const image = await storeImage(engines, analysisPng());
  const handle = handleRekognition({ s3: engines.s3, rekognition, settings: { service: 'rekognition', maxLabels: 5 }, log: recordingLog() });
  const started = Date.now();
  await expect(handle(invocation('rekognition', [image]), lambdaContext(DEADLINE_MARGIN_MS + 1000))).rejects.toMatchObject({ name: 'AnalyzerTimeoutError' });
  const took = Date.now() - started;
  expect(requests).toBe(1);
  // Aborted about a second in: before the function's timeout, with the margin to spare.
  expect(took).toBeGreaterThanOrEqual(900);
  expect(took).toBeLessThan(DEADLINE_MARGIN_MS + 1000);
});
