/** Review API: POST /studies/{studyKey}/decision (API Gateway Lambda proxy). */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics } from '../../lambda/metrics';
import { messagePublisherFromEnv } from '../../messaging/from-env';
import { ApiEvent, apiHandler, ApiResult, jsonBodyOf, jsonResponse, reviewerOf, studyKeyOf } from '../../steps/review-api/api-io';
import { decide, DecideDeps } from '../../steps/review-api/decide';

export function handleDecision(deps: DecideDeps) {
  return apiHandler(deps.log, async (event) => {
    // Identity first: an unauthenticated request learns nothing about the study or its body.
    const reviewer = reviewerOf(event);
    const input = { studyKey: studyKeyOf(event), body: jsonBodyOf(event), reviewer };
    return jsonResponse(200, await flushingMetrics(deps.metrics, () => decide(deps, input)));
  });
}

const wired = lazy(() => handleDecision({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  sfn: clients.sfnClient(),
  reportsBucket: requireEnv(EnvVar.REPORTS_BUCKET),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  structuredReportForImages: optionalEnv(EnvVar.STRUCTURED_REPORT_FOR_IMAGES) === 'true',
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  messages: messagePublisherFromEnv(clients.snsClient()),
  log: createSafeLog('review-decision'),
  metrics: createPipelineMetrics(),
}));

export const handler = (event: ApiEvent): Promise<ApiResult> => wired()(event);
