/** Review API: GET /studies/{studyKey} (API Gateway Lambda proxy). */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { ApiEvent, apiHandler, ApiResult, jsonResponse, studyKeyOf } from '../../steps/review-api/api-io';
import { previewUrlExpirySeconds } from '../../steps/review-api/settings';
import { StudyViewDeps, studyView } from '../../steps/review-api/study-view';

export function handleStudy(deps: StudyViewDeps & { readonly log: SafeLog }) {
  return apiHandler(deps.log, async (event) => jsonResponse(200, await studyView(deps, studyKeyOf(event))));
}

const wired = lazy(() => handleStudy({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  previewUrlExpirySeconds: previewUrlExpirySeconds(),
  log: createSafeLog('review-study'),
}));

export const handler = (event: ApiEvent): Promise<ApiResult> => wired()(event);
