/** Failure path: a study in a non-terminal status -> FAILED, then a PHI-free event and message. */
import { assertWorkflowInput } from './workflow-input';
import { DetailType } from '../../shared/events';
import { StudyStatus } from '../../shared/records';
import { FailureInput } from '../../shared/workflow';
import { SafeLog } from '../lambda/logger';
import { EventPublisher, MessagePublisher, publishEvent, publishMessage } from '../messaging/publish';
import { TableContext } from '../storage/context';
import { getStudy, NON_TERMINAL_STATUSES, transitionStudy } from '../storage/studies';

export interface MarkFailedDeps {
  readonly table: TableContext;
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
  readonly log: SafeLog;
  readonly clock?: () => Date;
}

export interface MarkFailedOutput {
  readonly studyKey: string;
  readonly version: number;
  readonly status: string;
  readonly errorName: string;
  readonly notified: boolean;
}

/** The Catch's `Error` is a type name; anything else (and every `Cause`) is dropped. */
export function safeErrorName(input: FailureInput): string {
  const name = input.error?.Error;
  return typeof name === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(name) ? name : 'Unknown';
}

export async function markFailed(deps: MarkFailedDeps, input: FailureInput): Promise<MarkFailedOutput> {
  assertWorkflowInput(input);
  const { studyKey, version } = input;
  const errorName = safeErrorName(input);
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const moved = await transitionStudy(deps.table, {
    studyKey,
    version,
    from: NON_TERMINAL_STATUSES,
    to: StudyStatus.FAILED,
    now,
    attributes: { failureError: errorName },
  });
  if (!moved) {
    const meta = await getStudy(deps.table, studyKey);
    if (meta?.status !== StudyStatus.FAILED || meta.version !== version) {
      // COMPLETED, or superseded by a newer version: nothing to report as failed.
      deps.log.warn('Study not marked failed', { studyKey, version, status: meta?.status ?? 'MISSING' });
      return { studyKey, version, status: meta?.status ?? 'MISSING', errorName, notified: false };
    }
  }
  await publishEvent(deps.events, DetailType.STUDY_FAILED, { studyKey, version, errorName });
  await publishMessage(deps.messages, 'Imaging study failed', [
    'The analysis of an imaging study failed.',
    `Study (pseudonymous): ${studyKey}`,
    `Version: ${version}`,
    `Error type: ${errorName}`,
  ]);
  return { studyKey, version, status: StudyStatus.FAILED, errorName, notified: true };
}
