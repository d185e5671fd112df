/**
 * StudiesFailed counts each failed study version once, whichever of the three
 * paths marks it (the workflow's mark-failed step, the execution status-change
 * rule, the sweeper) and however often a failure is delivered again.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handleSweep } from '../../../src/runtime/handlers/ingest/study-sweeper.lambda';
import { handleExecutionEnded } from '../../../src/runtime/handlers/workflow/execution-ended.lambda';
import { handleMarkFailed } from '../../../src/runtime/handlers/workflow/mark-failed.lambda';
import { getStudy, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { MetricName, METRICS_NAMESPACE, METRICS_SERVICE_ENV, SERVICE_DIMENSION } from '../../../src/shared/metrics';
import { executionName, instanceSk, StudyStatus, StudyStatusValue } from '../../../src/shared/records';
import { captureEmf, EmittedMetric } from '../../support/emf';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { TEST_REGION } from '../../support/local-engines';
import { testStudyKey } from '../../support/study-keys';

const sfn = mockClient(SFNClient);
const log = silentLog();
const PIPELINE = 'radiology-test';
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:analysis';
const T0 = Date.parse('2025-06-01T10:00:00.000Z');

const local = useLocalEngines();
const publishers = usePublisherMocks();
const serviceBefore = process.env[METRICS_SERVICE_ENV];
beforeAll(() => { process.env[METRICS_SERVICE_ENV] = PIPELINE; });
afterAll(() => {
  if (serviceBefore === undefined) delete process.env[METRICS_SERVICE_ENV];
  else process.env[METRICS_SERVICE_ENV] = serviceBefore;
  sfn.restore();
});
beforeEach(() => sfn.reset());

let counter = 0;
/** A version-1 study moved along RECEIVING -> READY -> ANALYZING up to `status`, last touched at T0. */
async function studyIn(status: StudyStatusValue): Promise<string> {
  const studyKey = testStudyKey(`sfm${++counter}`);
  const at = new Date(T0).toISOString();
  await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk('s', 'i'), arrivedAt: at, singleImage: true, now: at });
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of [StudyStatus.READY, StudyStatus.ANALYZING] as StudyStatusValue[]) {
    if (from === status) break;
    await transitionStudy(local.table, { studyKey, version: 1, from: [from], to: next, now: at });
    from = next;
  }
  return studyKey;
}

const deps = () => ({ table: local.table, events: publishers.events(), messages: publishers.messages(), log, clock: () => new Date(T0) });
const statusChange = (studyKey: string, status: string) => ({
  detail: { status, input: JSON.stringify({ studyKey, version: 1 }), error: status === 'FAILED' ? 'States.Runtime' : null },
});
const sweeper = () => handleSweep({
  ...deps(),
  starter: { client: new SFNClient({ region: TEST_REGION }), stateMachineArn: STATE_MACHINE },
  failures: { events: publishers.events(), messages: publishers.messages() },
  quietPeriodSeconds: 300,
  analyzingGraceSeconds: 600,
  clock: () => new Date(T0 + 601_000),
});

/** The StudiesFailed values written while `fn` ran, one entry per recorded value. */
async function studiesFailed(fn: () => Promise<unknown>): Promise<EmittedMetric[]> {
  const { metrics } = await captureEmf(fn);
  return metrics.filter((m) => m.name === MetricName.STUDIES_FAILED)
    .flatMap((m) => (Array.isArray(m.value) ? m.value : [m.value]).map((value) => ({ ...m, value })));
}

/** Exactly one StudiesFailed = 1, a Count in the pipeline namespace with only the service dimension (README metrics table). */
function expectCountedOnce(emitted: EmittedMetric[]): void {
  expect(emitted).toEqual([{ namespace: METRICS_NAMESPACE, name: MetricName.STUDIES_FAILED, unit: 'Count', value: 1, dimensions: { [SERVICE_DIMENSION]: PIPELINE } }]);
}

describe('StudiesFailed from the workflow failure path (mark-failed)', () => {
  test('counts the version once; a retry re-announces it but does not count it again', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const markFailed = handleMarkFailed(deps());
    expectCountedOnce(await studiesFailed(() => markFailed({ studyKey, version: 1, error: { Error: 'States.TaskFailed' } })));
    const retried = await studiesFailed(async () => {
      expect(await markFailed({ studyKey, version: 1, error: { Error: 'States.TaskFailed' } })).toMatchObject({ notified: true });
    });
    expect(retried).toEqual([]);
    expect(publishers.entries().filter((e) => e.DetailType === 'Study Failed')).toHaveLength(2);
  });

  test('a crash while announcing still counts the moved version once, and its retry adds nothing', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    publishers.eventBridge.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const crashed = await studiesFailed(async () => {
      await expect(handleMarkFailed(deps())({ studyKey, version: 1 })).rejects.toMatchObject({ name: 'EventPublishError' });
    });
    expectCountedOnce(crashed);
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'FAILED' });
    expect(await studiesFailed(() => handleMarkFailed(deps())({ studyKey, version: 1 }))).toEqual([]);
  });

  test('a COMPLETED study is not counted', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const now = new Date(T0).toISOString();
    await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now });
    expect(await studiesFailed(() => handleMarkFailed(deps())({ studyKey, version: 1 }))).toEqual([]);
  });
});

describe('StudiesFailed from the execution status-change rule (execution-ended)', () => {
  test.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('an execution %s counts once; the same event delivered again counts nothing', async (status) => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const ended = handleExecutionEnded(deps());
    expectCountedOnce(await studiesFailed(() => ended(statusChange(studyKey, status))));
    expect(await studiesFailed(() => ended(statusChange(studyKey, status)))).toEqual([]);
  });

  test('an execution that ended through the failure path is counted by mark-failed only', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const both = await studiesFailed(async () => {
      await handleMarkFailed(deps())({ studyKey, version: 1, error: { Error: 'States.TaskFailed' } });
      await handleExecutionEnded(deps())(statusChange(studyKey, 'FAILED'));
    });
    expectCountedOnce(both);
  });
});

describe('StudiesFailed from the sweeper', () => {
  test('a study whose execution is no longer running counts once; the next sweep counts nothing', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    sfn.on(DescribeExecutionCommand).resolves({ status: 'TIMED_OUT' });
    expectCountedOnce(await studiesFailed(() => sweeper()()));
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'FAILED', failureReason: 'EXECUTION_TIMED_OUT' });
    expect(await studiesFailed(() => sweeper()())).toEqual([]);
  });

  test('a study the status-change rule marks while the sweep looks at it is counted once, by the rule', async () => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const ended = handleExecutionEnded(deps());
    // The event for the ended execution arrives between the sweeper's listing and its own move.
    sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => {
      if (input.executionArn.endsWith(executionName(studyKey, 1))) await ended(statusChange(studyKey, 'ABORTED'));
      return { status: 'ABORTED' };
    });
    let swept = { failed: -1 };
    expectCountedOnce(await studiesFailed(async () => { swept = await sweeper()(); }));
    expect(swept.failed).toBe(0);
    expect(publishers.entries().filter((e) => e.DetailType === 'Study Failed')).toHaveLength(1);
  });
});
