/**
 * Workflow step "Review required" (lambda:invoke.waitForTaskToken): stores the
 * task token, moves the study IN_REVIEW and announces it; the execution then
 * waits for the review API's decision or the deadline.
 */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { requestReview, RequestReviewDeps, RequestReviewInput } from '../../steps/request-review';

export function handleRequestReview(deps: RequestReviewDeps & { readonly log: SafeLog }) {
  return async (input: RequestReviewInput): Promise<{ requested: boolean }> => {
    const output = await requestReview(deps, input);
    // Never the token.
    deps.log.info('Review requested', { studyKey: input.studyKey, version: input.version, priority: input.aggregate?.priority, requested: output.requested });
    return { requested: output.requested };
  };
}

const wired = lazy(() => handleRequestReview({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  messages: messagePublisherFromEnv(clients.snsClient()),
  log: createSafeLog('request-review'),
}));

export const handler = (input: RequestReviewInput): Promise<{ requested: boolean }> => wired()(input);
