import { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handleSweep } from '../../../src/runtime/handlers/ingest/study-sweeper.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { getStudy, recordInstance, recordStudyArrival, TableContext, transitionStudy } from '../../../src/runtime/storage';
import { executionName, instanceSk, StudyStatus } from '../../../src/shared/records';
import { LocalEngines, startLocalEngines, TEST_REGION } from '../../support/local-engines';

const sfn = mockClient(SFNClient);
const silent: SafeLog = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const ARRIVED = Date.parse('2025-04-01T08:00:00.000Z');
const QUIET = 300;

let engines: LocalEngines;
let table: TableContext;
beforeAll(async () => {
  engines = await startLocalEngines();
  table = { doc: engines.doc, tableName: engines.tableName };
});
afterAll(async () => {
  await engines.stop();
  sfn.restore();
});

/** Step Functions semantics for a name seen before: ExecutionAlreadyExists. */
function fakeStepFunctions(): string[] {
  const started: string[] = [];
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    if (started.includes(input.name)) {
      throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    }
    started.push(input.name);
    return { executionArn: `arn:${input.name}`, startDate: new Date() };
  });
  return started;
}

/** Records one MR instance of `studyKey` arriving at `receivedAt`. */
async function arrive(studyKey: string, instanceKey: string, receivedAt: string, expectedInstances?: number): Promise<void> {
  await recordInstance(table, {
    studyKey,
    seriesKey: 's',
    instanceKey,
    kind: 'dicom',
    modality: 'MR',
    width: 2,
    height: 2,
    analysisWidth: 2,
    analysisHeight: 2,
    previewKey: 'p',
    analysisKey: 'a',
    metadataKey: 'm',
    sourceSha256: '0',
    receivedAt,
  });
  await recordStudyArrival(table, { studyKey, instanceSk: instanceSk('s', instanceKey), arrivedAt: receivedAt, singleImage: false, expectedInstances, now: receivedAt });
}

async function receivingStudy(studyKey: string, instances: number, expectedInstances?: number): Promise<void> {
  for (let i = 0; i < instances; i++) {
    await arrive(studyKey, `i${i}`, new Date(ARRIVED + i * 1000).toISOString(), expectedInstances);
  }
}

const sweepAt = (secondsAfterLastArrival: number) => handleSweep({
  table,
  starter: { client: new SFNClient({ region: TEST_REGION }), stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:sm' },
  quietPeriodSeconds: QUIET,
  log: silent,
  clock: () => new Date(ARRIVED + 2000 + secondsAfterLastArrival * 1000),
});

test('marks a study READY only after the quiet period, and starts exactly one execution per version', async () => {
  const started = fakeStepFunctions();
  await receivingStudy('quiet1', 3);

  await sweepAt(QUIET - 1)();
  expect(await getStudy(table, 'quiet1')).toMatchObject({ status: 'RECEIVING' });
  expect(started).toEqual([]);

  const result = await sweepAt(QUIET)();
  expect(result.readied).toBe(1);
  expect(await getStudy(table, 'quiet1')).toMatchObject({ status: 'READY', version: 1 });
  expect(started).toEqual([executionName('quiet1', 1)]);

  // Later sweeps (also after the READY grace period) start nothing new for this version.
  await sweepAt(QUIET + 1)();
  await sweepAt(QUIET + 1000)();
  expect(started).toEqual([executionName('quiet1', 1)]);
  const calls = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
  expect(calls.every((c) => c.input === JSON.stringify({ studyKey: 'quiet1', version: 1 }))).toBe(true);

  // A new version of the study gets its own (single) execution.
  await transitionStudy(table, { studyKey: 'quiet1', version: 1, from: [StudyStatus.READY], to: StudyStatus.COMPLETED, now: new Date(ARRIVED).toISOString() });
  const late = new Date(ARRIVED + 5000).toISOString();
  await arrive('quiet1', 'late', late);
  await sweepAt(QUIET + 10)();
  await sweepAt(QUIET + 2000)();
  expect(started).toEqual([executionName('quiet1', 1), executionName('quiet1', 2)]);
});

test('a study that reached its expected count is readied without waiting', async () => {
  const started = fakeStepFunctions();
  await receivingStudy('counted1', 2, 2);
  await sweepAt(0)();
  expect(await getStudy(table, 'counted1')).toMatchObject({ status: 'READY' });
  expect(started).toContain(executionName('counted1', 1));
});

test('a READY study whose start was lost is started again after the grace period', async () => {
  const started = fakeStepFunctions();
  await receivingStudy('lost1', 1);
  await transitionStudy(table, { studyKey: 'lost1', version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: new Date(ARRIVED).toISOString() });
  await sweepAt(0)();
  expect(started).not.toContain(executionName('lost1', 1));
  const result = await sweepAt(QUIET + 600)();
  expect(result.restarted).toBeGreaterThanOrEqual(1);
  expect(started).toContain(executionName('lost1', 1));
});
