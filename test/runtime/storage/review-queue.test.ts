/**
 * The review queue index against dynalite: a study entering IN_REVIEW with a
 * priority and deadline is on it, in priority then deadline order; any move
 * out of IN_REVIEW (decision, failure, a new version) takes it off.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { countReviewQueue, listReviewQueue, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage/studies';
import { instanceSk, META_SK, REVIEW_QUEUE, reviewRank, StudyStatus, studyPk } from '../../../src/shared/records';
import { useLocalEngines } from '../../support/handler-harness';

const local = useLocalEngines();

let counter = 0;
const NOW = '2025-05-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

/** A study of one instance moved to ANALYZING (then IN_REVIEW when `priority` is given). */
async function study(priority?: string, deadlineMinutes = 60): Promise<string> {
  const studyKey = `q${++counter}`;
  await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk('s', 'i1'), arrivedAt: NOW, singleImage: true, now: NOW });
  await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: NOW });
  await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: NOW });
  if (priority !== undefined) await hold(studyKey, priority, deadlineMinutes);
  return studyKey;
}

const hold = (studyKey: string, priority: string, deadlineMinutes: number) => transitionStudy(local.table, {
  studyKey,
  version: 1,
  from: [StudyStatus.ANALYZING, StudyStatus.IN_REVIEW],
  to: StudyStatus.IN_REVIEW,
  now: NOW,
  attributes: { priority, reviewDeadline: at(deadlineMinutes), reviewOverdue: false },
});
const meta = async (studyKey: string) =>
  (await local.table.doc.send(new GetCommand({ TableName: local.table.tableName, Key: { PK: studyPk(studyKey), SK: META_SK } }))).Item!;
const queued = async () => (await listReviewQueue(local.table, 100)).studies.map((s) => s.studyKey);

test('the rank orders STAT, URGENT, ROUTINE, then an unknown priority; then the deadline; then the study key', () => {
  const ranks = [
    reviewRank('ROUTINE', at(1), 'a'), reviewRank('WHATEVER', at(0), 'a'), reviewRank('STAT', at(9), 'b'),
    reviewRank('URGENT', at(0), 'a'), reviewRank('STAT', at(9), 'a'), reviewRank('ROUTINE', at(0), 'z'),
  ];
  expect([...ranks].sort()).toEqual([ranks[4], ranks[2], ranks[3], ranks[5], ranks[0], ranks[1]]);
});

test('held studies come back in priority, then deadline order, with the worklist attributes and not the queue keys', async () => {
  const routineLate = await study('ROUTINE', 120);
  const stat = await study('STAT', 60);
  const routineSoon = await study('ROUTINE', 30);
  const urgent = await study('URGENT', 240);
  const analyzing = await study();
  const order = await queued();
  expect(order).toEqual([stat, urgent, routineSoon, routineLate]);
  expect(order).not.toContain(analyzing);
  expect(await meta(stat)).toMatchObject({ reviewQueue: REVIEW_QUEUE, reviewRank: reviewRank('STAT', at(60), stat) });
  const [first] = (await listReviewQueue(local.table, 100)).studies;
  expect(first).toEqual({
    studyKey: stat, version: 1, status: 'IN_REVIEW', priority: 'STAT', reviewDeadline: at(60), reviewOverdue: false, modality: undefined, updatedAt: NOW,
  });
  expect(first).not.toHaveProperty('reviewQueue');

  // Leaving IN_REVIEW, by a decision, a failure or a new version, takes a study off the queue.
  await transitionStudy(local.table, { studyKey: stat, version: 1, from: [StudyStatus.IN_REVIEW], to: StudyStatus.COMPLETED, now: at(1) });
  await transitionStudy(local.table, { studyKey: urgent, version: 1, from: [StudyStatus.IN_REVIEW], to: StudyStatus.FAILED, now: at(1) });
  await recordStudyArrival(local.table, { studyKey: routineLate, instanceSk: instanceSk('s', 'i2'), arrivedAt: at(2), singleImage: false, now: at(2) });
  expect(await queued()).toEqual([routineSoon]);
  for (const key of [stat, urgent, routineLate]) {
    expect(await meta(key)).not.toHaveProperty('reviewQueue');
    expect(await meta(key)).not.toHaveProperty('reviewRank');
  }
});

test('moves within IN_REVIEW (the deadline step) keep the rank; a retried request with a new deadline re-ranks', async () => {
  const key = await study('ROUTINE', 10);
  const rank = (await meta(key)).reviewRank;
  await transitionStudy(local.table, {
    studyKey: key,
    version: 1,
    from: [StudyStatus.ANALYZING, StudyStatus.IN_REVIEW],
    to: StudyStatus.IN_REVIEW,
    now: at(11),
    attributes: { reviewOverdue: true, priority: 'ROUTINE' },
  });
  expect(await meta(key)).toMatchObject({ reviewRank: rank, reviewOverdue: true, reviewQueue: REVIEW_QUEUE });
  await hold(key, 'URGENT', 20);
  expect((await meta(key)).reviewRank).toBe(reviewRank('URGENT', at(20), key));
  await transitionStudy(local.table, { studyKey: key, version: 1, from: [StudyStatus.IN_REVIEW], to: StudyStatus.COMPLETED, now: at(30) });
});

test('a page stops at the limit and says more are waiting; the count covers the whole queue', async () => {
  const keys = [];
  for (let i = 0; i < 5; i++) keys.push(await study('STAT', i));
  const before = await countReviewQueue(local.table);
  const page = await listReviewQueue(local.table, 3);
  expect(page.studies.map((s) => s.studyKey)).toEqual(keys.slice(0, 3));
  expect(page.truncated).toBe(true);
  expect((await listReviewQueue(local.table, before)).truncated).toBe(false);
  expect(before).toBe((await listReviewQueue(local.table, 1000)).studies.length);
  expect(before).toBeGreaterThanOrEqual(5);
});
