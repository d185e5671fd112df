/**
 * `Analysis Requested` of the study form -> one re-analysis run of that study.
 * The run is named after the event, so a redelivered event starts nothing new.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InvalidAnalysisRequest, parseStudyAnalysisRequest } from '../../core/analysis-requests';
import { SafeLog } from '../lambda/logger';

export interface StartRequestedDeps {
  readonly client: SFNClient;
  /** The re-analysis state machine. */
  readonly stateMachineArn: string;
  readonly log: SafeLog;
}

export interface RequestEvent {
  readonly id?: unknown;
  readonly detail?: unknown;
}

export type StartOutcome = { readonly started: boolean; readonly runId?: string; readonly reasonCode?: string };

const EVENT_ID = /^[A-Za-z0-9-]{1,64}$/;

export async function startRequestedReanalysis(deps: StartRequestedDeps, event: RequestEvent): Promise<StartOutcome> {
  let request;
  try {
    request = parseStudyAnalysisRequest(event?.detail);
  } catch (error) {
    if (!(error instanceof InvalidAnalysisRequest)) throw error;
    // Nothing to retry: a malformed request stays malformed (the message names the field only).
    deps.log.warn('Re-analysis request refused', { reasonCode: 'INVALID_REQUEST', problem: error.message });
    return { started: false, reasonCode: 'INVALID_REQUEST' };
  }
  if (typeof event.id !== 'string' || !EVENT_ID.test(event.id)) throw new Error('The event has no usable id');
  const runId = `request-${event.id}`;
  try {
    await deps.client.send(new StartExecutionCommand({
      stateMachineArn: deps.stateMachineArn,
      name: runId,
      input: JSON.stringify({ studyKeys: [request.studyKey], ...(request.analyzers === undefined ? {} : { analyzers: request.analyzers }) }),
    }));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ExecutionAlreadyExists')) throw error;
    return { started: false, runId };
  }
  deps.log.info('Re-analysis requested', { studyKey: request.studyKey, started: true });
  return { started: true, runId };
}
