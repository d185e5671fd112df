import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { prepareObject } from '../../../src/core/preparation';
import { handleIngestBatch } from '../../../src/runtime/handlers/ingest/ingest.lambda';
import { ReferencedInputDeps } from '../../../src/runtime/steps/referenced-input';
import { parseIngestMessage } from '../../../src/runtime/steps/s3-event';
import { getStudy, listInstances } from '../../../src/runtime/storage';
import { DetailType, RejectionReason } from '../../../src/shared/events';
import { makeDicom, makePng, phiValues } from '../../fixtures/images';
import { captureOutput, OutputCapture } from '../../support/capture';
import { objectCreatedRecord, sqsEvent } from '../../support/events';
import { ingestDeps, TEST_PSEUDONYM_KEY, TEST_QUEUE_URL } from '../../support/ingest-deps';
import { LocalEngines, startLocalEngines } from '../../support/local-engines';

const ARCHIVE = 'archive-bucket';
const eventBridge = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
let engines: LocalEngines;
let output: OutputCapture;

beforeAll(async () => {
  engines = await startLocalEngines();
  await engines.s3.send(new CreateBucketCommand({ Bucket: ARCHIVE }));
});
afterAll(async () => {
  await engines.stop();
  eventBridge.restore();
  sfn.restore();
  sqs.restore();
});
beforeEach(() => {
  output = captureOutput();
  for (const mock of [eventBridge, sfn, sqs]) mock.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: unknown[] }) => ({ Successful: input.Entries, Failed: [] }));
});
afterEach(() => output.restore());

/** Requests may point at the upload prefix and at everything under `studies/` of the archive bucket. */
function deps(maxObjectsPerPrefix = 100): ReferencedInputDeps {
  return ingestDeps(engines, {}, {
    sources: [{ bucket: engines.buckets.upload, prefix: 'uploads/' }, { bucket: ARCHIVE, prefix: 'studies/' }],
    maxObjectsPerPrefix,
  });
}

let messages = 0;
/** An SQS record holding an `Analysis Requested` event as the pipeline bus's rule delivers it. */
function requestRecord(detail: Record<string, unknown>): SQSRecord {
  messages += 1;
  const base = objectCreatedRecord(`r${messages}`, { bucket: 'unused', key: 'unused', size: 0 });
  const body = { 'version': '0', 'source': 'hospital.pacs', 'detail-type': DetailType.ANALYSIS_REQUESTED, detail };
  return { ...base, body: JSON.stringify(body) };
}

async function store(bucket: string, key: string, body: Uint8Array): Promise<void> {
  await engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await engines.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

function emitted(): PutEventsRequestEntry[] {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

function rejections(): { reasonCode: string; objectHash: string }[] {
  return emitted().filter((entry) => entry.DetailType === DetailType.OBJECT_REJECTED).map((entry) => JSON.parse(entry.Detail!));
}

const table = () => ({ doc: engines.doc, tableName: engines.tableName });

describe('Analysis Requested: stored objects go through the upload ingest, read only', () => {
  test('a referenced DICOM is de-identified and recorded like an upload, stays where it is, and a repeat adds nothing', async () => {
    const phi = { patientName: 'REFERENCED^PATIENT', patientId: 'MRN-REF-4411', studyUid: '1.2.826.0.1.3680043.8.498.4411' };
    const dicom = makeDicom({ rows: 16, columns: 16, numberOfStudyRelatedInstances: 1, phi });
    const key = 'studies/REFERENCED_PATIENT/ct-1.dcm';
    await store(ARCHIVE, key, dicom);

    const first = await handleIngestBatch(deps())(sqsEvent(requestRecord({ version: '1', bucket: ARCHIVE, key })));
    expect(first.batchItemFailures).toEqual([]);
    const { studyKey, instanceKey } = await prepareObject(dicom, { pseudonymKey: TEST_PSEUDONYM_KEY });
    expect((await listInstances(table(), studyKey)).map((instance) => instance.instanceKey)).toEqual([instanceKey]);
    expect(await getStudy(table(), studyKey)).toMatchObject({ status: 'READY', version: 1 });
    expect(await exists(ARCHIVE, key)).toBe(true);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);

    const repeat = await handleIngestBatch(deps())(sqsEvent(requestRecord({ version: '1', bucket: ARCHIVE, key })));
    expect(repeat.batchItemFailures).toEqual([]);
    expect(await listInstances(table(), studyKey)).toHaveLength(1);
    // The study is still READY here (nothing ran it), so the repeat asks again for the same, idempotent, execution name.
    const names = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(new Set(names).size).toBe(1);

    const outputs = [output.text(), ...emitted().map((entry) => entry.Detail ?? '')].join('\n');
    for (const value of [...phiValues(phi), 'REFERENCED_PATIENT']) expect(outputs).not.toContain(value);
  });

  test('a referenced object ingest refuses is recorded and announced, but neither copied to quarantine nor deleted', async () => {
    const key = 'studies/broken/not-an-image.bin';
    await store(ARCHIVE, key, new Uint8Array(Buffer.from('this is not an image')));
    const response = await handleIngestBatch(deps())(sqsEvent(requestRecord({ version: '1', bucket: ARCHIVE, key })));
    expect(response.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual([{ schemaVersion: '1', reasonCode: RejectionReason.UNSUPPORTED_FORMAT, objectHash: expect.any(String) }]);
    expect(await exists(ARCHIVE, key)).toBe(true);
    const listed = await engines.s3.send(new ListObjectsV2Command({ Bucket: ARCHIVE, Prefix: 'quarantine/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  test.each([
    ['a bucket that is not a source', { bucket: 'someone-elses-bucket', key: 'studies/x.dcm' }, RejectionReason.SOURCE_NOT_ALLOWED],
    ['a key outside the source prefix', { bucket: ARCHIVE, key: 'private/x.dcm' }, RejectionReason.SOURCE_NOT_ALLOWED],
    ['the quarantine of the upload bucket', { bucket: 'upload-bucket', key: 'quarantine/CORRUPT_IMAGE/abc' }, RejectionReason.SOURCE_NOT_ALLOWED],
    ['an empty key and prefix', { bucket: 'upload-bucket', key: '', prefix: '' }, RejectionReason.INVALID_REQUEST],
    ['an object that does not exist', { bucket: ARCHIVE, key: 'studies/missing.dcm' }, RejectionReason.NOT_FOUND],
    ['an empty prefix', { bucket: ARCHIVE, prefix: 'studies/empty/' }, RejectionReason.NOT_FOUND],
    ['both key and prefix', { bucket: ARCHIVE, key: 'studies/a.dcm', prefix: 'studies/' }, RejectionReason.INVALID_REQUEST],
    ['an unknown version', { version: '9', bucket: ARCHIVE, key: 'studies/a.dcm' }, RejectionReason.INVALID_REQUEST],
  ])('%s is refused (%#), with nothing read, copied or queued', async (_name, detail, reasonCode) => {
    const response = await handleIngestBatch(deps())(sqsEvent(requestRecord({ version: '1', ...detail })));
    expect(response.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual([{ schemaVersion: '1', reasonCode, objectHash: expect.any(String) }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    // Keys may hold PHI: no refusal names one.
    const outputs = [output.text(), ...emitted().map((entry) => entry.Detail ?? '')].join('\n');
    const named = [(detail as { key?: string }).key, (detail as { prefix?: string }).prefix].filter((path) => path !== undefined && path !== '');
    for (const path of named) expect(outputs).not.toContain(path);
  });

  test('a prefix fans out into one queue message per object, each of which ingests like a single-object request', async () => {
    const images = [1, 2, 3].map((n) => makePng(8 + n, 8, (x, y) => (x * n + y) % 256));
    for (const [index, png] of images.entries()) await store(ARCHIVE, `studies/series-a/${index}.png`, png);
    await store(ARCHIVE, 'studies/series-a/', new Uint8Array(0)); // a console-made "folder"

    const response = await handleIngestBatch(deps())(sqsEvent(requestRecord({ version: '1', bucket: ARCHIVE, prefix: 'studies/series-a/' })));
    expect(response.batchItemFailures).toEqual([]);
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(batches.every((batch) => batch.QueueUrl === TEST_QUEUE_URL)).toBe(true);
    const bodies = batches.flatMap((batch) => batch.Entries!.map((entry) => entry.MessageBody!));
    expect(bodies.map((body) => parseIngestMessage(body))).toEqual([0, 1, 2].map((index) => ({
      kind: 'REQUESTED',
      request: { kind: 'OBJECT', bucket: ARCHIVE, key: `studies/series-a/${index}.png`, size: images[index].length },
    })));

    const fanned = bodies.map((body, index) => ({ ...requestRecord({}), messageId: `f${index}`, body }));
    expect((await handleIngestBatch(deps())(sqsEvent(...fanned))).batchItemFailures).toEqual([]);
    for (const png of images) {
      const { studyKey } = await prepareObject(png, { pseudonymKey: TEST_PSEUDONYM_KEY });
      expect(await listInstances(table(), studyKey)).toHaveLength(1);
    }
  });

  test('a prefix holding more objects than one request may fan out to is refused whole', async () => {
    for (const index of [0, 1, 2]) await store(ARCHIVE, `studies/big/${index}.png`, makePng(4, 4, () => index));
    const response = await handleIngestBatch(deps(2))(sqsEvent(requestRecord({ version: '1', bucket: ARCHIVE, prefix: 'studies/big/' })));
    expect(response.batchItemFailures).toEqual([]);
    expect(rejections()).toEqual([{ schemaVersion: '1', reasonCode: RejectionReason.TOO_MANY_OBJECTS, objectHash: expect.any(String) }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  test('a fan-out the queue partly refuses is redelivered, not lost', async () => {
    await store(ARCHIVE, 'studies/retry/0.png', makePng(4, 4, () => 9));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const record = requestRecord({ version: '1', bucket: ARCHIVE, prefix: 'studies/retry/' });
    expect((await handleIngestBatch(deps())(sqsEvent(record))).batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});
