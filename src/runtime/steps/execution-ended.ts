/**
 * An execution that ended without the workflow's own failure path (data limit,
 * timeout, abort, a runtime error) must not leave its study ANALYZING: the
 * Step Functions status-change event for it marks the study FAILED.
 */
import { FailureReason, FailureReasonValue, markFailed, MarkFailedDeps, MarkFailedOutput } from './mark-failed';
import { WorkflowInput } from '../../shared/workflow';

/** The part of an EventBridge "Step Functions Execution Status Change" event this step reads. */
export interface ExecutionStatusChange {
  readonly detail?: {
    readonly status?: string;
    /** The execution's input, as a JSON string. */
    readonly input?: string | null;
    /** The error name, for FAILED executions. */
    readonly error?: string | null;
  };
}

const REASON_BY_STATUS: Record<string, FailureReasonValue> = {
  FAILED: FailureReason.EXECUTION_FAILED,
  TIMED_OUT: FailureReason.EXECUTION_TIMED_OUT,
  ABORTED: FailureReason.EXECUTION_ABORTED,
};

/** The study of an execution from its input; undefined for an input that is not a study version. */
export function studyOfExecutionInput(input: string | null | undefined): WorkflowInput | undefined {
  if (typeof input !== 'string') return undefined;
  try {
    const parsed = JSON.parse(input) as Partial<WorkflowInput>;
    return typeof parsed.studyKey === 'string' && Number.isInteger(parsed.version) ? { studyKey: parsed.studyKey, version: parsed.version as number } : undefined;
  } catch {
    return undefined;
  }
}

export type ExecutionEndedOutput = MarkFailedOutput | { readonly ignored: 'NOT_A_FAILURE' | 'NOT_A_STUDY' };

export async function executionEnded(deps: MarkFailedDeps, event: ExecutionStatusChange): Promise<ExecutionEndedOutput> {
  const status = event.detail?.status ?? '';
  const reasonCode = REASON_BY_STATUS[status];
  if (reasonCode === undefined) return { ignored: 'NOT_A_FAILURE' };
  const study = studyOfExecutionInput(event.detail?.input);
  if (study === undefined) return { ignored: 'NOT_A_STUDY' };
  // A study the failure path already marked stays as it is (and is not announced twice).
  return markFailed(deps, { ...study, error: { Error: event.detail?.error ?? status } }, { reasonCode, onlyWhenMoved: true });
}
