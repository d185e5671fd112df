/** Re-analysis step "Finish run": every study's result counted into the run's summary and `Reanalysis Completed`. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { finishRun, FinishRunDeps, FinishRunInput, RunCounts } from '../../steps/reanalysis-finish';

export function handleFinishRun(deps: FinishRunDeps & { readonly log: SafeLog }) {
  return async (input: FinishRunInput): Promise<RunCounts> => {
    const counts = await finishRun(deps, input);
    deps.log.info('Re-analysis run finished', { studies: counts.studyCount, recordCount: counts.succeeded, failedCount: counts.failed });
    return counts;
  };
}

const wired = lazy(() => handleFinishRun({
  s3: clients.s3Client(),
  reportsBucket: requireEnv(EnvVar.REPORTS_BUCKET),
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  log: createSafeLog('reanalysis-finish-run'),
}));

export const handler = (input: FinishRunInput): Promise<RunCounts> => wired()(input);
