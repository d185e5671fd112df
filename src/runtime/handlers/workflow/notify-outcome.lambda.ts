/** Workflow step "Notify": PHI-free EventBridge event + SNS message about the outcome. */
import { EnvVar } from '../../../shared/env';
import { DetailTypeValue } from '../../../shared/events';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { notifyOutcome, NotifyOutcomeDeps, NotifyOutcomeInput } from '../../steps/notify-outcome';

export type NotifyOutcomeOutput = { detailType: DetailTypeValue; notified: boolean };

export function handleNotifyOutcome(deps: NotifyOutcomeDeps & { readonly log: SafeLog }) {
  return async (input: NotifyOutcomeInput): Promise<NotifyOutcomeOutput> => {
    const output = await notifyOutcome(deps, input);
    deps.log.info('Outcome notified', { studyKey: input.studyKey, version: input.version, detailType: output.detailType });
    return output;
  };
}

const wired = lazy(() => handleNotifyOutcome({
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  messages: messagePublisherFromEnv(clients.snsClient()),
  log: createSafeLog('notify-outcome'),
}));

export const handler = (input: NotifyOutcomeInput): Promise<NotifyOutcomeOutput> => wired()(input);
