/** Review API: GET /worklist (API Gateway Lambda proxy). */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { ApiEvent, apiHandler, ApiResult, jsonResponse } from '../../steps/review-api/api-io';
import { listWorklist, WorklistDeps } from '../../steps/review-api/worklist';

export function handleWorklist(deps: WorklistDeps & { readonly log: SafeLog }) {
  return apiHandler(deps.log, async () => jsonResponse(200, await listWorklist(deps)));
}

const wired = lazy(() => handleWorklist({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  log: createSafeLog('review-worklist'),
}));

export const handler = (event: ApiEvent): Promise<ApiResult> => wired()(event);
