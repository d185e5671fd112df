/**
 * READY a study version and start its one workflow execution. Safe to repeat:
 * the status move is conditional and the execution name is deterministic.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName, StudyStatus } from '../../shared/records';
import { WorkflowInput } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { StudyMeta, transitionStudy } from '../storage/studies';

export interface ExecutionStarter {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
}

/** Starts the execution for `studyKey`/`version`; false when it already existed. */
export async function startStudyExecution(starter: ExecutionStarter, input: WorkflowInput): Promise<boolean> {
  try {
    await starter.client.send(new StartExecutionCommand({
      stateMachineArn: starter.stateMachineArn,
      name: executionName(input.studyKey, input.version),
      input: JSON.stringify({ studyKey: input.studyKey, version: input.version }),
    }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
      return false;
    }
    throw error;
  }
}

/**
 * Moves RECEIVING -> READY for this version (if not already READY) and, when a
 * state machine is configured, starts the execution. Returns whether the study
 * is READY for this version afterwards.
 */
export async function readyAndStart(
  table: TableContext,
  starter: ExecutionStarter | undefined,
  meta: Pick<StudyMeta, 'studyKey' | 'version' | 'status'>,
  now: string,
): Promise<boolean> {
  const ready = meta.status === StudyStatus.READY || await transitionStudy(table, {
    studyKey: meta.studyKey,
    version: meta.version,
    from: [StudyStatus.RECEIVING],
    to: StudyStatus.READY,
    now,
  });
  if (ready && starter !== undefined) {
    await startStudyExecution(starter, { studyKey: meta.studyKey, version: meta.version });
  }
  return ready;
}
