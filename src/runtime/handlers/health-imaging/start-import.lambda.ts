/** HealthImaging import step "Start import": StartDICOMImportJob for the staged study version; records IMPORTING. */
import { importTargetFromEnv } from './import-target';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { ImportJobState, ImportState } from '../../steps/health-imaging/import-state';
import { startImport, StartImportDeps } from '../../steps/health-imaging/start-import';

export function handleStartImport(deps: StartImportDeps) {
  return (state: ImportState): Promise<ImportJobState> => startImport(deps, state);
}

const wired = lazy(() => handleStartImport({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  target: importTargetFromEnv(),
  stagingBucket: requireEnv(EnvVar.HEALTH_IMAGING_BUCKET),
  log: createSafeLog('health-imaging-start'),
}));

export const handler = (state: ImportState): Promise<ImportJobState> => wired()(state);
