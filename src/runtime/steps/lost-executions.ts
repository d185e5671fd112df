/**
 * The sweeper's backstop for the execution-status rule (EventBridge delivery
 * can fail): a study ANALYZING for a while whose execution is no longer
 * running is marked FAILED with the reason its execution ended.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { FailureReason, FailureReasonValue, markFailed, MarkFailedDeps } from './mark-failed';
import { ExecutionStarter } from './start-analysis';
import { executionName, StudyStatus } from '../../shared/records';
import { listStudiesByStatus, StudyMeta } from '../storage/studies';

export interface LostExecutionDeps extends MarkFailedDeps {
  readonly starter: ExecutionStarter;
  /** Studies ANALYZING for less than this are left alone (their execution is surely running). @default 600 */
  readonly analyzingGraceSeconds?: number;
}

/** Execution ARN of a study version's one execution. */
export function executionArnOf(stateMachineArn: string, meta: Pick<StudyMeta, 'studyKey' | 'version'>): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName(meta.studyKey, meta.version)}`;
}

const REASON_BY_STATUS: Record<string, FailureReasonValue> = {
  SUCCEEDED: FailureReason.EXECUTION_LOST, // ended without moving the study: should not happen, never leave it
  FAILED: FailureReason.EXECUTION_FAILED,
  TIMED_OUT: FailureReason.EXECUTION_TIMED_OUT,
  ABORTED: FailureReason.EXECUTION_ABORTED,
};

/** Returns how many studies it marked FAILED. */
export async function failLostExecutions(deps: LostExecutionDeps, now: Date): Promise<number> {
  const graceMs = (deps.analyzingGraceSeconds ?? 600) * 1000;
  let failed = 0;
  for (const meta of await listStudiesByStatus(deps.table, StudyStatus.ANALYZING)) {
    if (now.getTime() - Date.parse(meta.updatedAt) < graceMs) continue;
    const status = await executionStatus(deps.starter, meta);
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') continue;
    const output = await markFailed(deps, { studyKey: meta.studyKey, version: meta.version, error: { Error: status } }, {
      reasonCode: REASON_BY_STATUS[status] ?? FailureReason.EXECUTION_LOST,
      onlyWhenMoved: true,
    });
    if (output.notified) failed += 1;
  }
  return failed;
}

async function executionStatus(starter: ExecutionStarter, meta: StudyMeta): Promise<string> {
  try {
    const described = await starter.client.send(new DescribeExecutionCommand({ executionArn: executionArnOf(starter.stateMachineArn, meta) }));
    return described.status ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return 'DOES_NOT_EXIST';
    throw error;
  }
}
