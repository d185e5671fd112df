/** Workflow step "Persist results": WorkflowStateWithResults -> PersistedReport (`$.persisted`). */
import { EnvVar } from '../../../shared/env';
import { PersistedReport, WorkflowStateWithResults } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { persistResults, PersistResultsDeps } from '../../steps/persist-results';

export function handlePersistResults(deps: PersistResultsDeps) {
  return async (state: WorkflowStateWithResults): Promise<PersistedReport> => {
    const persisted = await persistResults(deps, state);
    deps.log.info('Results persisted', { studyKey: state.studyKey, version: state.version, status: persisted.status });
    return persisted;
  };
}

const wired = lazy(() => handlePersistResults({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  reportsBucket: requireEnv(EnvVar.REPORTS_BUCKET),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  structuredReportForImages: optionalEnv(EnvVar.STRUCTURED_REPORT_FOR_IMAGES) === 'true',
  log: createSafeLog('persist-results'),
}));

export const handler = (state: WorkflowStateWithResults): Promise<PersistedReport> => wired()(state);
