import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { countInstances, InstanceRecord, listInstances, recordInstance } from '../../../src/runtime/storage/instances';
import { objectHash, recordRejection } from '../../../src/runtime/storage/rejections';
import { getStudy, listStudiesByStatus, recordStudyArrival, StudyArrival, transitionStudy } from '../../../src/runtime/storage/studies';
import { instanceSk, REJECTED_STATUS, rejectedPk, StudyStatus } from '../../../src/shared/records';
import { useLocalEngines } from '../../support/handler-harness';

const local = useLocalEngines();

let studyCounter = 0;
const nextStudy = () => `study${++studyCounter}`;
const t = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

function instance(studyKey: string, instanceKey: string, receivedAt: string): InstanceRecord {
  return {
    studyKey,
    seriesKey: 'ser1',
    instanceKey,
    kind: 'dicom',
    modality: 'CT',
    width: 4,
    height: 4,
    analysisWidth: 4,
    analysisHeight: 4,
    previewKey: 'p',
    analysisKey: 'a',
    metadataKey: 'm',
    sourceSha256: 'f'.repeat(64),
    receivedAt,
  };
}

function arrival(studyKey: string, instanceKey: string, arrivedAt: string, extra: Partial<StudyArrival> = {}): StudyArrival {
  return { studyKey, instanceSk: instanceSk('ser1', instanceKey), arrivedAt, singleImage: false, now: arrivedAt, ...extra };
}

describe('recordInstance', () => {
  test('writes once; a duplicate changes nothing and returns the first record', async () => {
    const studyKey = nextStudy();
    expect((await recordInstance(local.table, instance(studyKey, 'i1', t(1)))).created).toBe(true);
    const again = await recordInstance(local.table, { ...instance(studyKey, 'i1', t(9)), modality: 'MR' });
    expect(again.created).toBe(false);
    expect(again.record).toMatchObject({ receivedAt: t(1), modality: 'CT' });
    expect(await listInstances(local.table, studyKey)).toHaveLength(1);
  });

  test('lists and counts a study\'s instances in key order', async () => {
    const studyKey = nextStudy();
    for (const key of ['i3', 'i1', 'i2']) await recordInstance(local.table, instance(studyKey, key, t(1)));
    expect((await listInstances(local.table, studyKey)).map((i) => i.instanceKey)).toEqual(['i1', 'i2', 'i3']);
    expect(await countInstances(local.table, studyKey)).toBe(3);
  });
});

describe('recordStudyArrival', () => {
  test('creates the study as RECEIVING version 1', async () => {
    const studyKey = nextStudy();
    const result = await recordStudyArrival(local.table, arrival(studyKey, 'i1', t(1), { expectedInstances: 2, modality: 'CT' }));
    expect(result.opened).toBe(true);
    expect(result.meta).toMatchObject({ status: 'RECEIVING', version: 1, lastInstanceAt: t(1), expectedInstances: 2, createdAt: t(1), updatedAt: t(1) });
  });

  test('a later instance refreshes the quiet period; a replay of an earlier one does not extend it', async () => {
    const studyKey = nextStudy();
    await recordStudyArrival(local.table, arrival(studyKey, 'i1', t(1)));
    const second = await recordStudyArrival(local.table, arrival(studyKey, 'i2', t(5)));
    expect(second).toMatchObject({ opened: false, meta: { lastInstanceAt: t(5), version: 1 } });
    // Redelivery of i2 (same original arrival time, later wall clock): nothing changes.
    const replay = await recordStudyArrival(local.table, arrival(studyKey, 'i2', t(5), { now: t(50) }));
    expect(replay.meta).toMatchObject({ lastInstanceAt: t(5), updatedAt: t(5) });
  });

  test('heals a crash between the instance put and the META update', async () => {
    const studyKey = nextStudy();
    const first = await recordInstance(local.table, instance(studyKey, 'i1', t(2)));
    // (crash here: no META yet) -> redelivery takes the duplicate path with the original time
    const dup = await recordInstance(local.table, instance(studyKey, 'i1', t(30)));
    expect(dup.created).toBe(false);
    const healed = await recordStudyArrival(local.table, arrival(studyKey, 'i1', dup.record.receivedAt, { now: t(30) }));
    expect(healed).toMatchObject({ opened: true, meta: { lastInstanceAt: first.record.receivedAt, status: 'RECEIVING' } });
  });

  test.each([StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.COMPLETED, StudyStatus.FAILED])(
    'a new instance for a %s study opens version 2 in RECEIVING', async (status) => {
      const studyKey = nextStudy();
      await recordStudyArrival(local.table, arrival(studyKey, 'i1', t(1), { singleImage: true }));
      await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: status, now: t(2) });
      const reopened = await recordStudyArrival(local.table, arrival(studyKey, 'i2', t(3)));
      expect(reopened).toMatchObject({ opened: true, meta: { status: 'RECEIVING', version: 2, lastInstanceAt: t(3), singleImage: false } });
      // ...but a replay of the instance that was already part of version 1 opens nothing.
      const replay = await recordStudyArrival(local.table, arrival(studyKey, 'i1', t(1), { now: t(9) }));
      expect(replay).toMatchObject({ opened: false, meta: { version: 2 } });
    },
  );
});

describe('transitionStudy', () => {
  test('moves only from the expected status and version', async () => {
    const studyKey = nextStudy();
    await recordStudyArrival(local.table, arrival(studyKey, 'i1', t(1)));
    expect(await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: t(2) })).toBe(false);
    expect(await transitionStudy(local.table, { studyKey, version: 2, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: t(2) })).toBe(false);
    expect(await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: t(2) })).toBe(true);
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'READY', updatedAt: t(2) });
    expect(await transitionStudy(local.table, {
      studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.COMPLETED, now: t(3), attributes: { reviewDecision: 'APPROVED' },
    })).toBe(true);
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'APPROVED' });
  });

  test('a missing study is not moved', async () => {
    expect(await transitionStudy(local.table, { studyKey: 'nope', version: 1, from: [StudyStatus.READY], to: StudyStatus.FAILED, now: t(1) })).toBe(false);
  });
});

test('listStudiesByStatus queries the StatusIndex', async () => {
  const a = nextStudy();
  const b = nextStudy();
  await recordStudyArrival(local.table, arrival(a, 'i1', t(1)));
  await recordStudyArrival(local.table, arrival(b, 'i1', t(1)));
  await transitionStudy(local.table, { studyKey: b, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: t(2) });
  const receiving = (await listStudiesByStatus(local.table, StudyStatus.RECEIVING)).map((s) => s.studyKey);
  const ready = (await listStudiesByStatus(local.table, StudyStatus.READY)).map((s) => s.studyKey);
  expect(receiving).toContain(a);
  expect(receiving).not.toContain(b);
  expect(ready).toContain(b);
});

describe('recordRejection', () => {
  test('stores the hash, reason and quarantine location once, without the original key', async () => {
    const location = { bucket: 'upload-bucket', key: 'uploads/DOE^JANE/scan.dcm', etag: 'abc' };
    const key = Buffer.alloc(32, 0x11);
    const hash = objectHash(location, key);
    expect(hash).toMatch(/^[a-z2-7]{26}$/);
    expect(objectHash({ ...location, versionId: 'v2' }, key)).not.toBe(hash);
    // Keyed: without the pseudonym key the hash of a guessed file name cannot be confirmed.
    expect(objectHash(location, Buffer.alloc(32, 0x22))).not.toBe(hash);
    const record = {
      objectHash: hash,
      reasonCode: 'EMPTY_OBJECT' as const,
      quarantineBucket: 'upload-bucket',
      quarantineKey: 'quarantine/EMPTY_OBJECT/x',
      updatedAt: t(1),
    };
    expect(await recordRejection(local.table, record)).toEqual({ created: true });
    expect(await recordRejection(local.table, { ...record, updatedAt: t(9) })).toEqual({ created: false });
    const item = (await local.table.doc.send(new GetCommand({ TableName: local.table.tableName, Key: { PK: rejectedPk(hash), SK: 'META' } }))).Item;
    expect(item).toMatchObject({ status: REJECTED_STATUS, reasonCode: 'EMPTY_OBJECT', updatedAt: t(1) });
    expect(Object.values(item ?? {})).not.toContain(location.key);
  });
});
