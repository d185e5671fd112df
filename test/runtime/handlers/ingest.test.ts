import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveDeidentificationSettings } from '../../../src/core/deid/settings';
import { prepareObject } from '../../../src/core/preparation';
import { handleIngestBatch } from '../../../src/runtime/handlers/ingest/ingest.lambda';
import { originalHandlingFrom } from '../../../src/runtime/steps/accepted-original';
import { IngestSettings } from '../../../src/runtime/steps/ingest-object';
import { ReferencedInputDeps } from '../../../src/runtime/steps/referenced-input';
import { getStudy, listInstances, objectHash } from '../../../src/runtime/storage';
import { BurnedInAnnotationPolicy } from '../../../src/shared/deidentification';
import { EVENT_SOURCE } from '../../../src/shared/events';
import { METRICS_NAMESPACE, MetricName } from '../../../src/shared/metrics';
import { OriginalHandling } from '../../../src/shared/originals';
import { executionName, rejectedPk } from '../../../src/shared/records';
import { makeDicom, makeJpeg, makePng, phiValues } from '../../fixtures/images';
import { captureOutput, OutputCapture } from '../../support/capture';
import { emfMetrics } from '../../support/emf';
import { objectCreatedRecord, sqsEvent } from '../../support/events';
import { ingestDeps, TEST_PSEUDONYM_KEY, TEST_STATE_MACHINE_ARN } from '../../support/ingest-deps';
import { LocalEngines, startLocalEngines } from '../../support/local-engines';

const PSEUDONYM_KEY = TEST_PSEUDONYM_KEY;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const STATE_MACHINE_ARN = TEST_STATE_MACHINE_ARN;

const eventBridge = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
let engines: LocalEngines;

beforeAll(async () => {
  engines = await startLocalEngines();
});
afterEach(() => output.restore());
afterAll(async () => {
  await engines.stop();
  eventBridge.restore();
  sfn.restore();
});
// Every log line of the suite is captured (and kept out of the test output).
let output: OutputCapture;
beforeEach(() => {
  output = captureOutput();
  eventBridge.reset();
  sfn.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
});

function deps(settings: Partial<IngestSettings> = {}): ReferencedInputDeps {
  return ingestDeps(engines, settings);
}

let uploadCounter = 0;
async function upload(key: string, body: Uint8Array) {
  await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.upload, Key: key, Body: body }));
  uploadCounter += 1;
  return objectCreatedRecord(`m${uploadCounter}`, { bucket: engines.buckets.upload, key, size: body.length });
}

async function objectBytes(bucket: string, key: string): Promise<Buffer> {
  const response = await engines.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await engines.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
    throw error;
  }
}

function emitted(): PutEventsRequestEntry[] {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

const gradient = (x: number, y: number) => (x * 7 + y * 3) % 256;

describe('ingest handler (dynalite + s3rver)', () => {
  test('a PNG, a JPEG and an uncompressed DICOM become instance + study records and derived PNGs', async () => {
    const png = makePng(32, 24, gradient);
    const jpeg = makeJpeg(40, 30, gradient);
    const dicom = makeDicom({ rows: 16, columns: 16, phi: { patientName: 'ROE^RICHARD', sopUid: '1.2.826.0.1.3680043.8.498.77.1' } });
    const records = [
      await upload('uploads/a/image.png', png),
      await upload('uploads/a/photo.jpg', jpeg),
      await upload('uploads/a/scan.dcm', dicom),
    ];

    const response = await handleIngestBatch(deps())(sqsEvent(...records));
    expect(response.batchItemFailures).toEqual([]);
    const ingested = emfMetrics(output.text()).filter((m) => m.name === MetricName.IMAGES_INGESTED);
    expect(ingested).toEqual([expect.objectContaining({ namespace: METRICS_NAMESPACE, unit: 'Count', value: [1, 1, 1] })]);
    expect(output.text()).not.toContain('ROE');

    for (const [bytes, kind] of [[png, 'png'], [jpeg, 'jpeg'], [dicom, 'dicom']] as const) {
      const expected = await prepareObject(bytes, { pseudonymKey: PSEUDONYM_KEY });
      const instances = await listInstances({ doc: engines.doc, tableName: engines.tableName }, expected.studyKey);
      expect(instances).toHaveLength(1);
      expect(instances[0]).toMatchObject({ kind, seriesKey: expected.seriesKey, instanceKey: expected.instanceKey, width: expected.width });
      for (const key of [instances[0].previewKey, instances[0].analysisKey]) {
        expect([...(await objectBytes(engines.buckets.derived, key)).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      }
      expect(JSON.parse((await objectBytes(engines.buckets.derived, instances[0].metadataKey)).toString()))
        .toEqual(JSON.parse(JSON.stringify(expected.safeMetadata)));
      const meta = await getStudy({ doc: engines.doc, tableName: engines.tableName }, expected.studyKey);
      // Plain images are complete on arrival; the DICOM (no expected count) waits for the quiet period.
      expect(meta).toMatchObject({ version: 1, status: kind === 'dicom' ? 'RECEIVING' : 'READY' });
      const received = emitted().filter((e) => e.DetailType === 'Study Received' && JSON.parse(e.Detail!).studyKey === expected.studyKey);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ Source: EVENT_SOURCE, EventBusName: 'bus' });
    }
    const started = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(started).toHaveLength(2);
    const pngStudy = (await prepareObject(png, { pseudonymKey: PSEUDONYM_KEY })).studyKey;
    expect(started).toContainEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      name: executionName(pngStudy, 1),
      input: JSON.stringify({ studyKey: pngStudy, version: 1 }),
    });
  });

  test('a DICOM whose expected instance count is reached is READY at once', async () => {
    const dicom = makeDicom({ rows: 8, columns: 8, numberOfStudyRelatedInstances: 1, phi: { studyUid: '1.2.826.0.1.3680043.8.498.88' } });
    const response = await handleIngestBatch(deps())(sqsEvent(await upload('uploads/b/one.dcm', dicom)));
    expect(response.batchItemFailures).toEqual([]);
    const { studyKey } = await prepareObject(dicom, { pseudonymKey: PSEUDONYM_KEY });
    expect(await getStudy({ doc: engines.doc, tableName: engines.tableName }, studyKey)).toMatchObject({ status: 'READY' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('a series with an expected count is counted as it arrives: READY on the last slice, with no COUNT query over its instances', async () => {
    const studyUid = '1.2.826.0.1.3680043.8.498.89';
    const slices = [1, 2, 3].map((n) => makeDicom({
      rows: 8, columns: 8, numberOfStudyRelatedInstances: 3, phi: { studyUid, sopUid: `${studyUid}.${n}` },
    }));
    const send = jest.spyOn(engines.doc, 'send');
    const handler = handleIngestBatch(deps());
    const { studyKey } = await prepareObject(slices[0], { pseudonymKey: PSEUDONYM_KEY });
    const table = { doc: engines.doc, tableName: engines.tableName };
    let firstArrival = '';
    for (const [i, slice] of slices.entries()) {
      expect((await handler(sqsEvent(await upload(`uploads/c/${i}.dcm`, slice)))).batchItemFailures).toEqual([]);
      expect(await getStudy(table, studyKey)).toMatchObject({ instanceCount: i + 1, status: i < 2 ? 'RECEIVING' : 'READY' });
      if (i === 0) firstArrival = (await getStudy(table, studyKey))!.lastInstanceAt;
      await new Promise((resolve) => setTimeout(resolve, 2)); // distinct arrival times
    }
    // The version's end-to-end latency starts at its first upload, which later slices do not move.
    const last = await getStudy(table, studyKey);
    expect(last).toMatchObject({ firstUploadVersion: 1, firstUploadAt: firstArrival });
    expect(last!.lastInstanceAt).not.toBe(firstArrival);
    const countQueries = send.mock.calls.filter(([command]) => (command.input as { Select?: string }).Select === 'COUNT');
    send.mockRestore();
    expect(countQueries).toHaveLength(0);
    // A redelivered slice is not counted twice.
    await handler(sqsEvent(await upload('uploads/c/0.dcm', slices[0])));
    expect(await getStudy(table, studyKey)).toMatchObject({ instanceCount: 3 });
  });

  test('empty, non-image and truncated files are quarantined with distinct reasons and REJECTED records', async () => {
    const cases = [
      { key: 'uploads/bad/empty.dcm', body: new Uint8Array(0), reason: 'EMPTY_OBJECT' },
      { key: 'uploads/bad/notes.dcm', body: Buffer.from('This is a text file, not DICOM.\n'), reason: 'UNSUPPORTED_FORMAT' },
      { key: 'uploads/bad/cut.dcm', body: makeDicom({ truncateAt: 400 }), reason: 'TRUNCATED_DICOM' },
    ];
    const records = [];
    for (const c of cases) records.push(await upload(c.key, c.body));

    const response = await handleIngestBatch(deps())(sqsEvent(...records));
    expect(response.batchItemFailures).toEqual([]); // rejections are not retried
    const rejected = emfMetrics(output.text()).filter((m) => m.name === MetricName.IMAGES_REJECTED);
    expect(rejected.map((m) => m.dimensions.Reason).sort()).toEqual(cases.map((c) => c.reason).sort());
    expect(emfMetrics(output.text()).some((m) => m.name === MetricName.IMAGES_INGESTED)).toBe(false);

    const rejectedEvents = emitted().filter((e) => e.DetailType === 'Object Rejected').map((e) => JSON.parse(e.Detail!));
    expect(new Set(rejectedEvents.map((d) => d.reasonCode)).size).toBe(3);
    for (const c of cases) {
      const hash = objectHash({ bucket: engines.buckets.upload, key: c.key, etag: `etag-${records[cases.indexOf(c)].messageId}` }, PSEUDONYM_KEY);
      const quarantineKey = `quarantine/${c.reason}/${hash}`;
      expect(await exists(engines.buckets.upload, c.key)).toBe(false);
      expect(await exists(engines.buckets.upload, quarantineKey)).toBe(true);
      const head = await engines.s3.send(new HeadObjectCommand({ Bucket: engines.buckets.upload, Key: quarantineKey }));
      // No trace of the upload key (which may name the patient) on the quarantine copy: the key ends in the keyed hash.
      expect(head.Metadata).toEqual({ 'reason-code': c.reason });
      expect(await objectBytes(engines.buckets.upload, quarantineKey)).toEqual(Buffer.from(c.body));

      const items = (await engines.doc.send(new ScanCommand({ TableName: engines.tableName }))).Items ?? [];
      const record = items.find((item) => item.PK === rejectedPk(hash));
      expect(record).toMatchObject({ SK: 'META', status: 'REJECTED', reasonCode: c.reason, quarantineKey });
      expect(JSON.stringify(record)).not.toContain(c.key); // the original name never reaches the results table
      expect(rejectedEvents).toContainEqual({ schemaVersion: '1', reasonCode: c.reason, objectHash: hash });
    }
    for (const entry of emitted()) {
      for (const c of cases) expect(entry.Detail).not.toContain(c.key);
    }
  });

  test('a redelivered event for an object already quarantined (bucket without versioning) is skipped, not retried', async () => {
    const record = await upload('uploads/bad/twice.dcm', Buffer.from('not DICOM at all'));
    const first = await handleIngestBatch(deps())(sqsEvent(record));
    const second = await handleIngestBatch(deps())(sqsEvent(record));
    expect([first.batchItemFailures, second.batchItemFailures]).toEqual([[], []]);
    expect(emitted().filter((e) => e.DetailType === 'Object Rejected')).toHaveLength(1);
  });

  test('an object over the size limit is rejected TOO_LARGE without being downloaded', async () => {
    const record = await upload('uploads/big/huge.png', makePng(16, 16, gradient));
    const send = jest.spyOn(engines.s3, 'send');
    const response = await handleIngestBatch(deps({ maxObjectBytes: 10 }))(sqsEvent(record));
    expect(response.batchItemFailures).toEqual([]);
    expect(send.mock.calls.map(([command]) => command.constructor.name)).not.toContain('GetObjectCommand');
    send.mockRestore();
    const hash = objectHash({ bucket: engines.buckets.upload, key: 'uploads/big/huge.png', etag: `etag-${record.messageId}` }, PSEUDONYM_KEY);
    expect(await exists(engines.buckets.upload, `quarantine/TOO_LARGE/${hash}`)).toBe(true);
    expect(emitted().map((e) => JSON.parse(e.Detail!).reasonCode)).toEqual(['TOO_LARGE']);
  });

  test('the same event delivered twice leaves exactly one instance record and one announcement', async () => {
    const dicom = makeDicom({ rows: 8, columns: 8, phi: { studyUid: '1.2.826.0.1.3680043.8.498.99' } });
    const record = await upload('uploads/dup/scan.dcm', dicom);
    const handler = handleIngestBatch(deps());
    expect((await handler(sqsEvent(record))).batchItemFailures).toEqual([]);
    const { studyKey } = await prepareObject(dicom, { pseudonymKey: PSEUDONYM_KEY });
    const table = { doc: engines.doc, tableName: engines.tableName };
    const before = await getStudy(table, studyKey);

    expect((await handler(sqsEvent(record, { ...record, messageId: 'redelivered' }))).batchItemFailures).toEqual([]);
    expect(await listInstances(table, studyKey)).toHaveLength(1);
    const after = await getStudy(table, studyKey);
    expect(after).toEqual(before); // quiet period not extended, version unchanged
    expect(emitted().filter((e) => e.DetailType === 'Study Received')).toHaveLength(1);
  });

  test('an AWS failure on one record reports exactly that record for redelivery', async () => {
    const good = await upload('uploads/ok/fine.png', makePng(8, 8, gradient));
    const broken = objectCreatedRecord('broken', { bucket: 'no-such-bucket', key: 'uploads/x.png', size: 10 });
    const response = await handleIngestBatch(deps())(sqsEvent(good, broken));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'broken' }]);
  });

  test('a failed event publication is a failure, not a silent loss', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const record = await upload('uploads/ev/fine.png', makePng(9, 9, gradient));
    const response = await handleIngestBatch(deps())(sqsEvent(record));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  test('keys outside the upload prefix and inside quarantine are skipped', async () => {
    const outside = await upload('elsewhere/file.png', makePng(8, 8, gradient));
    const quarantined = objectCreatedRecord('q', { bucket: engines.buckets.upload, key: 'quarantine/EMPTY_OBJECT/uploads/a', size: 0 });
    const response = await handleIngestBatch(deps({ uploadPrefix: '' }))(sqsEvent(quarantined));
    expect(response.batchItemFailures).toEqual([]);
    expect((await handleIngestBatch(deps())(sqsEvent(outside))).batchItemFailures).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(await exists(engines.buckets.upload, 'elsewhere/file.png')).toBe(true);
  });

  test('burned-in annotation: quarantined by default, or recorded for review under FLAG_FOR_REVIEW', async () => {
    const ultrasound = makeDicom({ rows: 8, columns: 8, modality: 'US', phi: { studyUid: '1.2.826.0.1.3680043.8.498.321' } });
    const quarantined = await handleIngestBatch(deps())(sqsEvent(await upload('uploads/us/one.dcm', ultrasound)));
    expect(quarantined.batchItemFailures).toEqual([]);
    expect(emitted().map((e) => JSON.parse(e.Detail!).reasonCode)).toEqual(['BURNED_IN_ANNOTATION']);

    const deidentification = resolveDeidentificationSettings({ burnedInAnnotationPolicy: BurnedInAnnotationPolicy.FLAG_FOR_REVIEW });
    const flagged = await handleIngestBatch(deps({ deidentification }))(sqsEvent(await upload('uploads/us/two.dcm', ultrasound)));
    expect(flagged.batchItemFailures).toEqual([]);
    const { studyKey } = await prepareObject(ultrasound, { pseudonymKey: PSEUDONYM_KEY, deidentification });
    const instances = await listInstances({ doc: engines.doc, tableName: engines.tableName }, studyKey);
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({ burnedInAnnotation: true, requiresReview: true });
  });

  test('logs, events and records carry none of the PHI in the DICOM or its key', async () => {
    const phi = {
      patientName: 'SMITH^ALICE^MARIE',
      patientId: 'PID-98765',
      birthDate: '19581231',
      accessionNumber: 'ACC-55555',
      studyUid: '1.2.826.0.1.3680043.8.498.555.1',
      seriesUid: '1.2.826.0.1.3680043.8.498.555.2',
      sopUid: '1.2.826.0.1.3680043.8.498.555.3',
      institution: 'SAINT EXAMPLE CLINIC',
    };
    const dicom = makeDicom({ rows: 8, columns: 8, phi, numberOfStudyRelatedInstances: 1 });
    const key = `uploads/${phi.patientName}/${phi.patientId}.dcm`;
    const badKey = `uploads/${phi.patientName}/${phi.accessionNumber}-cut.dcm`;
    const records = [await upload(key, dicom), await upload(badKey, makeDicom({ phi, truncateAt: 300 }))];

    const logStart = output.text().length;
    const failing = objectCreatedRecord('fails', { bucket: 'missing-bucket', key, size: 5 });
    const response = await handleIngestBatch(deps())(sqsEvent(...records, failing));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'fails' }]);
    const logs = output.text().slice(logStart);
    expect(logs).toContain('Object processed');
    expect(logs).toContain('NoSuchBucket'); // the capture did see the logger
    const events = JSON.stringify(emitted()) + JSON.stringify(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input));
    const { studyKey } = await prepareObject(dicom, { pseudonymKey: PSEUDONYM_KEY });
    const table = { doc: engines.doc, tableName: engines.tableName };
    const stored = JSON.stringify([await getStudy(table, studyKey), await listInstances(table, studyKey)]);
    const [instance] = await listInstances(table, studyKey);
    const metadata = (await objectBytes(engines.buckets.derived, instance.metadataKey)).toString();
    // The de-identified DICOM stored next to the previews.
    expect(instance.dicomKey).toMatch(/\/instance\.dcm$/);
    const deidentified = (await objectBytes(engines.buckets.derived, instance.dicomKey!)).toString('latin1');
    expect(deidentified.slice(128, 132)).toBe('DICM');
    for (const value of [...phiValues(phi), phi.patientName.split('^')[0]]) {
      expect(logs).not.toContain(value);
      expect(events).not.toContain(value);
      expect(stored).not.toContain(value);
      expect(metadata).not.toContain(value);
      expect(deidentified).not.toContain(value);
    }
  });

  test('an accepted original is deleted by default, archived under a keyed hash, or kept, as configured', async () => {
    const png = makePng(8, 8, gradient);
    const byDefault = await upload('uploads/o/ROE_RICHARD.png', png);
    expect((await handleIngestBatch(deps())(sqsEvent(byDefault))).batchItemFailures).toEqual([]);
    expect(await exists(engines.buckets.upload, 'uploads/o/ROE_RICHARD.png')).toBe(false);

    const archived = await upload('uploads/o/ROE_RICHARD-2.png', makePng(9, 9, gradient));
    const archive = deps({ acceptedOriginals: { handling: OriginalHandling.ARCHIVE, archivePrefix: 'archive/' } });
    expect((await handleIngestBatch(archive)(sqsEvent(archived))).batchItemFailures).toEqual([]);
    const hash = objectHash({ bucket: engines.buckets.upload, key: 'uploads/o/ROE_RICHARD-2.png', etag: `etag-${archived.messageId}` }, PSEUDONYM_KEY);
    expect(await exists(engines.buckets.upload, 'uploads/o/ROE_RICHARD-2.png')).toBe(false);
    expect(await objectBytes(engines.buckets.upload, `archive/${hash}`)).toEqual(Buffer.from(makePng(9, 9, gradient)));
    const head = await engines.s3.send(new HeadObjectCommand({ Bucket: engines.buckets.upload, Key: `archive/${hash}` }));
    expect(JSON.stringify(head.Metadata ?? {})).not.toContain('ROE');

    const kept = await upload('uploads/o/ROE_RICHARD-3.png', makePng(10, 10, gradient));
    const keep = deps({ acceptedOriginals: { handling: OriginalHandling.KEEP, archivePrefix: 'archive/' } });
    expect((await handleIngestBatch(keep)(sqsEvent(kept))).batchItemFailures).toEqual([]);
    expect(await exists(engines.buckets.upload, 'uploads/o/ROE_RICHARD-3.png')).toBe(true);
  });

  test('an unknown ORIGINAL_HANDLING fails fast instead of keeping originals by accident', () => {
    expect(originalHandlingFrom(undefined)).toBe(OriginalHandling.DELETE);
    expect(originalHandlingFrom('ARCHIVE')).toBe(OriginalHandling.ARCHIVE);
    expect(() => originalHandlingFrom('delete')).toThrow(/ORIGINAL_HANDLING must be one of DELETE, ARCHIVE, KEEP/);
  });
});
