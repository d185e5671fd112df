/** Scheduled sweeper: readies quiet RECEIVING studies and restarts lost executions. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { numberEnv, optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { sweepStudies, SweepDeps, SweepResult } from '../../steps/sweep-studies';

export function handleSweep(deps: SweepDeps) {
  return async (): Promise<SweepResult> => {
    const result = await sweepStudies(deps);
    deps.log.info('Sweep finished', { studies: result.checked, ready: result.readied, started: result.restarted });
    return result;
  };
}

const wired = lazy(() => {
  const stateMachineArn = optionalEnv(EnvVar.STATE_MACHINE_ARN);
  return handleSweep({
    table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
    starter: stateMachineArn === undefined ? undefined : { client: clients.sfnClient(), stateMachineArn },
    quietPeriodSeconds: numberEnv(EnvVar.QUIET_PERIOD_SECONDS, 300),
    log: createSafeLog('study-sweeper'),
  });
});

export const handler = (): Promise<SweepResult> => wired()();
