/** HealthImaging import step "Check import": one GetDICOMImportJob. */
import { importTargetFromEnv } from './import-target';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { checkImport, CheckImportDeps } from '../../steps/health-imaging/check-import';
import { ImportJobState, ImportState } from '../../steps/health-imaging/import-state';

export function handleCheckImport(deps: CheckImportDeps) {
  return (state: ImportState): Promise<ImportJobState> => checkImport(deps, state);
}

const wired = lazy(() => handleCheckImport({
  target: importTargetFromEnv(),
  log: createSafeLog('health-imaging-check'),
}));

export const handler = (state: ImportState): Promise<ImportJobState> => wired()(state);
