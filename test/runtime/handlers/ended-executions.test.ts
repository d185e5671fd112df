/**
 * No study is left ANALYZING: an execution that ended outside the workflow's
 * failure path marks its study FAILED, from the status-change event or, when
 * that is lost, from the sweeper's DescribeExecution.
 */
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handleSweep } from '../../../src/runtime/handlers/ingest/study-sweeper.lambda';
import { handleExecutionEnded } from '../../../src/runtime/handlers/workflow/execution-ended.lambda';
import { getStudy, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { executionName, instanceSk, StudyStatus, StudyStatusValue } from '../../../src/shared/records';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { TEST_REGION } from '../../support/local-engines';
import { testStudyKey } from '../../support/study-keys';

const sfn = mockClient(SFNClient);
const log = silentLog();
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:analysis';
const T0 = Date.parse('2025-05-01T10:00:00.000Z');

const local = useLocalEngines();
const publishers = usePublisherMocks();
beforeEach(() => sfn.reset());
afterAll(() => sfn.restore());

let counter = 0;
async function studyIn(status: StudyStatusValue): Promise<string> {
  const studyKey = testStudyKey(`ended${++counter}`);
  const at = new Date(T0).toISOString();
  await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk('s', 'i'), arrivedAt: at, singleImage: true, now: at });
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of [StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.FAILED] as StudyStatusValue[]) {
    if (from === status) break;
    await transitionStudy(local.table, { studyKey, version: 1, from: [from], to: next, now: at });
    from = next;
  }
  return studyKey;
}

const deps = () => ({ table: local.table, events: publishers.events(), messages: publishers.messages(), log });
const statusChange = (studyKey: string, status: string, error?: string) => ({
  'detail-type': 'Step Functions Execution Status Change',
  'source': 'aws.states',
  'detail': {
    executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${executionName(studyKey, 1)}`,
    stateMachineArn: STATE_MACHINE,
    name: executionName(studyKey, 1),
    status,
    input: JSON.stringify({ studyKey, version: 1 }),
    error: error ?? null,
    cause: 'The state/task returned a result with a size exceeding the maximum number of bytes service limit. DOE^JANE',
  },
});
const failedEvents = () => publishers.entries().filter((e) => e.DetailType === 'Study Failed').map((e) => JSON.parse(e.Detail!));

describe('the execution status-change rule', () => {
  test.each([
    ['FAILED', 'States.DataLimitExceeded', 'EXECUTION_FAILED'],
    ['TIMED_OUT', undefined, 'EXECUTION_TIMED_OUT'],
    ['ABORTED', undefined, 'EXECUTION_ABORTED'],
  ])('an execution %s outside the failure path leaves the study FAILED with reason %s and one Study Failed event', async (status, error, reason) => {
    const studyKey = await studyIn(StudyStatus.ANALYZING);
    const output = await handleExecutionEnded(deps())(statusChange(studyKey, status, error));
    expect(output).toMatchObject({ status: 'FAILED', reasonCode: reason, notified: true });
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'FAILED', failureReason: reason, failureError: error ?? status });
    expect(failedEvents()).toEqual([{ schemaVersion: '1', studyKey, version: 1, errorName: error ?? status, reasonCode: reason }]);
    const published = JSON.stringify(publishers.messagesSent());
    expect(published).toContain(reason);
    expect(published).not.toContain('DOE^JANE'); // the Cause is never read
  });

  test('a study the failure path already marked is not announced twice', async () => {
    const studyKey = await studyIn(StudyStatus.FAILED);
    expect(await handleExecutionEnded(deps())(statusChange(studyKey, 'FAILED', 'StudyFailed'))).toMatchObject({ notified: false });
    expect(failedEvents()).toEqual([]);
  });

  test('a completed study, another version, a success or an input that is not a study change nothing', async () => {
    const done = await studyIn(StudyStatus.ANALYZING);
    const now = new Date(T0).toISOString();
    await transitionStudy(local.table, { studyKey: done, version: 1, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now });
    expect(await handleExecutionEnded(deps())(statusChange(done, 'FAILED'))).toMatchObject({ notified: false });
    expect(await getStudy(local.table, done)).toMatchObject({ status: 'COMPLETED' });
    expect(await handleExecutionEnded(deps())(statusChange(done, 'SUCCEEDED'))).toEqual({ ignored: 'NOT_A_FAILURE' });
    const notStudy = { detail: { status: 'FAILED', input: '{"hello":1}' } };
    expect(await handleExecutionEnded(deps())(notStudy)).toEqual({ ignored: 'NOT_A_STUDY' });
    expect(await handleExecutionEnded(deps())({ detail: { status: 'ABORTED', input: 'not json' } })).toEqual({ ignored: 'NOT_A_STUDY' });
    expect(failedEvents()).toEqual([]);
  });
});

describe('the sweeper, when the status-change event was lost', () => {
  const sweepAt = (secondsAfter: number) => handleSweep({
    ...deps(),
    starter: { client: new SFNClient({ region: TEST_REGION }), stateMachineArn: STATE_MACHINE },
    failures: { events: deps().events, messages: deps().messages },
    quietPeriodSeconds: 300,
    analyzingGraceSeconds: 600,
    clock: () => new Date(T0 + secondsAfter * 1000),
  });

  test('leaves running executions and young studies alone, and fails one whose execution ended', async () => {
    const running = await studyIn(StudyStatus.ANALYZING);
    const timedOut = await studyIn(StudyStatus.ANALYZING);
    const vanished = await studyIn(StudyStatus.ANALYZING);
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      if (input.executionArn.endsWith(executionName(running, 1))) return { status: 'RUNNING' };
      if (input.executionArn.endsWith(executionName(timedOut, 1))) return { status: 'TIMED_OUT' };
      if (input.executionArn.endsWith(executionName(vanished, 1))) throw new ExecutionDoesNotExist({ message: 'gone', $metadata: {} });
      return { status: 'SUCCEEDED' };
    });
    expect((await sweepAt(599)()).failed).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);

    const result = await sweepAt(601)();
    expect(await getStudy(local.table, running)).toMatchObject({ status: 'ANALYZING' });
    expect(await getStudy(local.table, timedOut)).toMatchObject({ status: 'FAILED', failureReason: 'EXECUTION_TIMED_OUT' });
    expect(await getStudy(local.table, vanished)).toMatchObject({ status: 'FAILED', failureReason: 'EXECUTION_LOST' });
    expect(result.failed).toBeGreaterThanOrEqual(2);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn))
      .toContain(`arn:aws:states:us-east-1:111122223333:execution:analysis:${executionName(running, 1)}`);
    const announced = failedEvents().map((e) => e.studyKey);
    expect(announced).toEqual(expect.arrayContaining([timedOut, vanished]));
    expect(announced).not.toContain(running);
  });
});
