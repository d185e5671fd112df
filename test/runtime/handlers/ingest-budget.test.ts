/**
 * The ingest's memory and time budgets end in a typed rejection (quarantine,
 * REJECTED record, `Object Rejected`) or, when too little of the invocation is
 * left to start an object, in redelivery; never in a crash or a timeout.
 */
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { decodedBytesBudget, prepareObject } from '../../../src/core/preparation';
import { handleIngestBatch } from '../../../src/runtime/handlers/ingest/ingest.lambda';
import { MIN_PREPARE_BUDGET_MS, PrepareFn, WRITE_RESERVE_MS } from '../../../src/runtime/steps/ingest-object';
import { ReferencedInputDeps } from '../../../src/runtime/steps/referenced-input';
import { objectHash } from '../../../src/runtime/storage';
import { makeDicom } from '../../fixtures/images';
import { captureOutput, OutputCapture } from '../../support/capture';
import { objectCreatedRecord, sqsEvent } from '../../support/events';
import { ingestDeps, TEST_PSEUDONYM_KEY } from '../../support/ingest-deps';
import { LocalEngines, startLocalEngines } from '../../support/local-engines';

const eventBridge = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
let engines: LocalEngines;
let output: OutputCapture;

beforeAll(async () => {
  engines = await startLocalEngines();
});
afterAll(async () => {
  await engines.stop();
  eventBridge.restore();
  sfn.restore();
});
beforeEach(() => {
  output = captureOutput();
  eventBridge.reset();
  sfn.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
});
afterEach(() => output.restore());

/** A 1024x1024 16-bit image: 2 MiB of pixel data. */
const DICOM = makeDicom({ rows: 1024, columns: 1024, bitsAllocated: 16, bitsStored: 12 });

let counter = 0;
async function upload(body: Uint8Array) {
  const key = `uploads/budget/${++counter}.dcm`;
  await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.upload, Key: key, Body: body }));
  return objectCreatedRecord(`b${counter}`, { bucket: engines.buckets.upload, key, size: body.length });
}

function lambdaContext(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

function rejections(): string[] {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? [])
    .filter((e: PutEventsRequestEntry) => e.DetailType === 'Object Rejected').map((e) => JSON.parse(e.Detail!).reasonCode);
}

async function quarantined(record: ReturnType<typeof objectCreatedRecord>, reason: string): Promise<boolean> {
  const { key } = JSON.parse(record.body).detail.object;
  const hash = objectHash({ bucket: engines.buckets.upload, key, etag: `etag-${record.messageId}` }, TEST_PSEUDONYM_KEY);
  try {
    await engines.s3.send(new HeadObjectCommand({ Bucket: engines.buckets.upload, Key: `quarantine/${reason}/${hash}` }));
    return true;
  } catch {
    return false;
  }
}

describe('ingest budgets', () => {
  test('an object decoding to more than a third of the function memory is quarantined TOO_LARGE; with more memory it is accepted', async () => {
    expect(decodedBytesBudget(4)).toBeLessThan(1024 * 1024 * 2);
    const small = await upload(DICOM);
    const refused = await handleIngestBatch(ingestDeps(engines, { memoryLimitMb: 4 }))(sqsEvent(small), lambdaContext(100_000));
    expect(refused.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual(['TOO_LARGE']);
    expect(await quarantined(small, 'TOO_LARGE')).toBe(true);

    eventBridge.resetHistory();
    const large = await upload(DICOM);
    const accepted = await handleIngestBatch(ingestDeps(engines, { memoryLimitMb: 2048 }))(sqsEvent(large), lambdaContext(100_000));
    expect(accepted.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual([]);
  });

  test('each object gets the invocation time left less the write reserve, and its memory setting', async () => {
    const seen: Array<{ deadline?: number; memoryLimitMb?: number }> = [];
    const deps: ReferencedInputDeps = {
      ...ingestDeps(engines, { memoryLimitMb: 2048 }),
      prepare: ((bytes, options) => {
        seen.push({ deadline: options.deadline, memoryLimitMb: options.memoryLimitMb });
        return prepareObject(bytes, options);
      }) as PrepareFn,
    };
    const before = Date.now();
    await handleIngestBatch(deps)(sqsEvent(await upload(DICOM)), lambdaContext(90_000));
    expect(seen).toHaveLength(1);
    expect(seen[0].memoryLimitMb).toBe(2048);
    expect(seen[0].deadline).toBeGreaterThanOrEqual(before + 90_000 - WRITE_RESERVE_MS);
    expect(seen[0].deadline).toBeLessThanOrEqual(Date.now() + 90_000 - WRITE_RESERVE_MS);
  });

  test('an object past its time budget is quarantined TOO_LARGE and announced, not left to time out', async () => {
    const deps: ReferencedInputDeps = {
      ...ingestDeps(engines),
      // The budget ran out while the object was being prepared.
      prepare: ((bytes, options) => prepareObject(bytes, { ...options, deadline: Date.now() - 1 })) as PrepareFn,
    };
    const record = await upload(DICOM);
    const response = await handleIngestBatch(deps)(sqsEvent(record), lambdaContext(100_000));
    expect(response.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual(['TOO_LARGE']);
    expect(await quarantined(record, 'TOO_LARGE')).toBe(true);
  });

  test('with too little of the invocation left, the object is not started but redelivered (not the object\'s fault)', async () => {
    const record = await upload(DICOM);
    const response = await handleIngestBatch(ingestDeps(engines))(sqsEvent(record), lambdaContext(WRITE_RESERVE_MS + MIN_PREPARE_BUDGET_MS - 1));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(rejections()).toEqual([]);
    expect(await quarantined(record, 'TOO_LARGE')).toBe(false);
  });
});
