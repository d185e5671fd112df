/**
 * READY a study version and start its one workflow execution (and, when the
 * HealthImaging option is on, its one import execution). Safe to repeat: the
 * status move is conditional and the execution names are deterministic.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName, healthImagingExecutionName, StudyStatus } from '../../shared/records';
import { WorkflowInput } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { StudyMeta, transitionStudy } from '../storage/studies';

export interface ExecutionStarter {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  /** Also start the study version's HealthImaging import here. @default - no import */
  readonly healthImagingStateMachineArn?: string;
}

async function startNamed(client: SFNClient, stateMachineArn: string, name: string, input: WorkflowInput): Promise<boolean> {
  try {
    await client.send(new StartExecutionCommand({
      stateMachineArn,
      name,
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
 * Starts the execution for `studyKey`/`version`; false when it already existed.
 * The import (when configured) is started first: if that start fails, the
 * analysis is not started either, the study stays READY, and the redelivered
 * message or the sweeper's READY retry starts both, so neither start is lost.
 */
export async function startStudyExecution(starter: ExecutionStarter, input: WorkflowInput): Promise<boolean> {
  const importArn = starter.healthImagingStateMachineArn;
  if (importArn !== undefined) {
    await startNamed(starter.client, importArn, healthImagingExecutionName(input.studyKey, input.version), input);
  }
  return startNamed(starter.client, starter.stateMachineArn, executionName(input.studyKey, input.version), input);
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
