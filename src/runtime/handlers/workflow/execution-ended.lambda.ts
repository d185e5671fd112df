/**
 * EventBridge target for "Step Functions Execution Status Change" (FAILED,
 * TIMED_OUT, ABORTED) of the analysis workflow: the study -> FAILED with a
 * reason code, unless the workflow's own failure path already marked it.
 */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics, PipelineMetrics } from '../../lambda/metrics';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { executionEnded, ExecutionEndedOutput, ExecutionStatusChange } from '../../steps/execution-ended';
import { MarkFailedDeps } from '../../steps/mark-failed';

export function handleExecutionEnded(deps: MarkFailedDeps, metrics: PipelineMetrics = createPipelineMetrics()) {
  return (event: ExecutionStatusChange): Promise<ExecutionEndedOutput> => flushingMetrics(metrics, async () => {
    const output = await executionEnded({ ...deps, metrics }, event);
    if ('ignored' in output) {
      deps.log.info('Execution status change ignored', { status: event.detail?.status, reasonCode: output.ignored });
    } else {
      deps.log.info('Ended execution handled', {
        studyKey: output.studyKey, version: output.version, status: output.status, reasonCode: output.reasonCode, notified: output.notified,
      });
    }
    return output;
  });
}

const wired = lazy(() => handleExecutionEnded({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  messages: messagePublisherFromEnv(clients.snsClient()),
  log: createSafeLog('execution-ended'),
}));

export const handler = (event: ExecutionStatusChange): Promise<ExecutionEndedOutput> => wired()(event);
