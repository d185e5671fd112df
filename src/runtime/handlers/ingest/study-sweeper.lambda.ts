/** Scheduled sweeper: readies quiet RECEIVING studies, restarts lost starts, fails studies whose execution ended. */
import { executionStarterFromEnv } from './execution-starter';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { numberEnv, optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics, PipelineMetrics } from '../../lambda/metrics';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { sweepStudies, SweepDeps, SweepResult } from '../../steps/sweep-studies';

export function handleSweep(deps: SweepDeps, metrics: PipelineMetrics = createPipelineMetrics()) {
  return (): Promise<SweepResult> => flushingMetrics(metrics, async () => {
    const result = await sweepStudies({ ...deps, metrics });
    deps.log.info('Sweep finished', { studies: result.checked, ready: result.readied, started: result.restarted, failedCount: result.failed });
    return result;
  });
}

const wired = lazy(() => {
  const topicArn = optionalEnv(EnvVar.TOPIC_ARN);
  return handleSweep({
    table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
    starter: executionStarterFromEnv(),
    failures: topicArn === undefined ? undefined : {
      events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
      messages: messagePublisherFromEnv(clients.snsClient()),
    },
    quietPeriodSeconds: numberEnv(EnvVar.QUIET_PERIOD_SECONDS, 300),
    analyzingGraceSeconds: numberEnv(EnvVar.ANALYZING_GRACE_SECONDS, 600),
    log: createSafeLog('study-sweeper'),
  });
});

export const handler = (): Promise<SweepResult> => wired()();
