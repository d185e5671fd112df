/** The execution starter both ingest handlers wire from their environment (none when no state machine is set). */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { optionalEnv } from '../../lambda/env';
import { ExecutionStarter } from '../../steps/start-analysis';

export function executionStarterFromEnv(): ExecutionStarter | undefined {
  const stateMachineArn = optionalEnv(EnvVar.STATE_MACHINE_ARN);
  if (stateMachineArn === undefined) return undefined;
  const healthImagingStateMachineArn = optionalEnv(EnvVar.HEALTH_IMAGING_STATE_MACHINE_ARN);
  return { client: clients.sfnClient(), stateMachineArn, ...(healthImagingStateMachineArn === undefined ? {} : { healthImagingStateMachineArn }) };
}
