/** Workflow failure path: study -> FAILED (conditionally), then a PHI-free event + SNS message. */
import { EnvVar } from '../../../shared/env';
import { FailureInput } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics, PipelineMetrics } from '../../lambda/metrics';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { markFailed, MarkFailedDeps, MarkFailedOutput } from '../../steps/mark-failed';

export function handleMarkFailed(deps: MarkFailedDeps, metrics: PipelineMetrics = createPipelineMetrics()) {
  return (input: FailureInput): Promise<MarkFailedOutput> => flushingMetrics(metrics, async () => {
    // Only the error's type name is logged: its Cause may quote data.
    const output = await markFailed({ ...deps, metrics }, input);
    deps.log.info('Study failure handled', {
      studyKey: output.studyKey, version: output.version, status: output.status, errorName: output.errorName,
    });
    return output;
  });
}

const wired = lazy(() => handleMarkFailed({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  messages: messagePublisherFromEnv(clients.snsClient()),
  log: createSafeLog('mark-failed'),
}));

export const handler = (input: FailureInput): Promise<MarkFailedOutput> => wired()(input);
