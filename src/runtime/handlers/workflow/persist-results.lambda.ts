/** Workflow step "Persist results": WorkflowStateWithResults -> PersistedReport (`$.persisted`). */
import { EnvVar } from '../../../shared/env';
import { PersistedReport, WorkflowStateWithResults } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics, PipelineMetrics } from '../../lambda/metrics';
import { persistResults, PersistResultsDeps } from '../../steps/persist-results';
import { recordPersistedVersion } from '../../steps/workflow-metrics';
import { getStudy } from '../../storage/studies';

export function handlePersistResults(deps: PersistResultsDeps, metrics: PipelineMetrics = createPipelineMetrics()) {
  return (state: WorkflowStateWithResults): Promise<PersistedReport> => flushingMetrics(metrics, async () => {
    const persisted = await persistResults(deps, state);
    deps.log.info('Results persisted', { studyKey: state.studyKey, version: state.version, status: persisted.status });
    const study = await getStudy(deps.table, state.studyKey);
    const now = (deps.clock ?? (() => new Date()))();
    recordPersistedVersion(metrics, { version: state.version, reviewDecision: state.review?.decision, persisted, study, now });
    return persisted;
  });
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
