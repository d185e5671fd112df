/** `Analysis Requested` (study form) rule target: starts a re-analysis run of the one study. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { RequestEvent, startRequestedReanalysis, StartOutcome } from '../../steps/reanalysis-request';

const wired = lazy(() => ({
  client: clients.sfnClient(),
  stateMachineArn: requireEnv(EnvVar.STATE_MACHINE_ARN),
  log: createSafeLog('reanalysis-start-request'),
}));

export const handler = (event: RequestEvent): Promise<StartOutcome> => startRequestedReanalysis(wired(), event);
