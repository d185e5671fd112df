/**
 * A study version that cannot finish -> FAILED with a reason code, then a
 * PHI-free event and message. Reached from the workflow's own failure path
 * ("Mark failed"), and from outside it when an execution ended some other way
 * (an EventBridge rule on execution status changes, and the sweeper).
 */
import { assertWorkflowInput } from './workflow-input';
import { DetailType } from '../../shared/events';
import { StudyPriority } from '../../shared/finding-rules';
import { MetricName } from '../../shared/metrics';
import { StudyStatus } from '../../shared/records';
import { FailureInput } from '../../shared/workflow';
import { SafeLog } from '../lambda/logger';
import { PipelineMetrics } from '../lambda/metrics';
import { EventPublisher, MessagePublisher, publishEvent, publishMessage } from '../messaging/publish';
import { TableContext } from '../storage/context';
import { getStudy, NON_TERMINAL_STATUSES, transitionStudy } from '../storage/studies';

/** Why a study is FAILED (`failureReason` on the study, `reasonCode` in `Study Failed`). */
export const FailureReason = {
  /** A step failed and the workflow's failure path ran. */
  STEP_FAILED: 'STEP_FAILED',
  /** The execution failed outside the failure path (e.g. a data limit or a runtime error). */
  EXECUTION_FAILED: 'EXECUTION_FAILED',
  EXECUTION_TIMED_OUT: 'EXECUTION_TIMED_OUT',
  EXECUTION_ABORTED: 'EXECUTION_ABORTED',
  /** The study was being analysed but no execution of it exists any more. */
  EXECUTION_LOST: 'EXECUTION_LOST',
} as const;
export type FailureReasonValue = (typeof FailureReason)[keyof typeof FailureReason];

export interface MarkFailedDeps {
  readonly table: TableContext;
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Where StudiesFailed is counted: once per version, by the call that moved it to FAILED. */
  readonly metrics?: PipelineMetrics;
}

export interface MarkFailedOptions {
  /** @default FailureReason.STEP_FAILED */
  readonly reasonCode?: FailureReasonValue;
  /**
   * Notify only when this call moved the study. The workflow's own path
   * notifies again on a retry (its first attempt may have crashed after the
   * move); the watchers must not announce a failure the workflow already did.
   * @default false
   */
  readonly onlyWhenMoved?: boolean;
}

export interface MarkFailedOutput {
  readonly studyKey: string;
  readonly version: number;
  readonly status: string;
  readonly errorName: string;
  readonly reasonCode: FailureReasonValue;
  readonly notified: boolean;
}

/** The Catch's `Error` is a type name; anything else (and every `Cause`) is dropped. */
export function safeErrorName(input: FailureInput): string {
  const name = input.error?.Error;
  return typeof name === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(name) ? name : 'Unknown';
}

const PRIORITIES: readonly string[] = Object.values(StudyPriority);

export async function markFailed(deps: MarkFailedDeps, input: FailureInput, options: MarkFailedOptions = {}): Promise<MarkFailedOutput> {
  assertWorkflowInput(input);
  const { studyKey, version } = input;
  const errorName = safeErrorName(input);
  const reasonCode = options.reasonCode ?? FailureReason.STEP_FAILED;
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const moved = await transitionStudy(deps.table, {
    studyKey,
    version,
    from: NON_TERMINAL_STATUSES,
    to: StudyStatus.FAILED,
    now,
    attributes: { failureError: errorName, failureReason: reasonCode },
  });
  // Counted at the move, not at the announcement: a retry re-announces, and a crash while announcing still counts once.
  if (moved) deps.metrics?.record(MetricName.STUDIES_FAILED, 1);
  let meta = moved ? undefined : await getStudy(deps.table, studyKey);
  if (!moved) {
    const status = meta?.status ?? 'MISSING';
    if (options.onlyWhenMoved || meta?.status !== StudyStatus.FAILED || meta.version !== version) {
      // COMPLETED, superseded by a newer version, or already announced: nothing to report.
      if (!options.onlyWhenMoved) deps.log.warn('Study not marked failed', { studyKey, version, status });
      return { studyKey, version, status, errorName, reasonCode, notified: false };
    }
  }
  // A study that failed after its findings were triaged keeps its priority, so a STAT subscriber hears of it.
  meta ??= await getStudy(deps.table, studyKey);
  const priority = PRIORITIES.includes(meta?.priority ?? '') ? meta!.priority : undefined;
  await publishEvent(deps.events, DetailType.STUDY_FAILED, { studyKey, version, errorName, reasonCode, priority });
  await publishMessage(deps.messages, {
    subject: 'Imaging study failed',
    eventType: DetailType.STUDY_FAILED,
    priority,
    study: { studyKey, version },
    lines: [
      'The analysis of an imaging study failed.',
      `Study (pseudonymous): ${studyKey}`,
      `Version: ${version}`,
      `Reason: ${reasonCode}`,
      `Error type: ${errorName}`,
    ],
  });
  return { studyKey, version, status: StudyStatus.FAILED, errorName, reasonCode, notified: true };
}
