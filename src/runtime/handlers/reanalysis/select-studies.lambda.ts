/** Re-analysis step "Select studies": the run's request -> the selected studies, written as the Distributed Map's item list. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { SelectedStudies, selectStudies, SelectStudiesDeps, SelectStudiesInput } from '../../steps/reanalysis-select';

export function handleSelectStudies(deps: SelectStudiesDeps & { readonly log: SafeLog }) {
  return async (input: SelectStudiesInput): Promise<SelectedStudies> => {
    const selected = await selectStudies(deps, input);
    deps.log.info('Studies selected for re-analysis', { studies: selected.studyCount, requested: selected.analyzers.length });
    return selected;
  };
}

const wired = lazy(() => handleSelectStudies({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  reportsBucket: requireEnv(EnvVar.REPORTS_BUCKET),
  analyzerNames: JSON.parse(requireEnv(EnvVar.ANALYZER_NAMES)) as string[],
  log: createSafeLog('reanalysis-select-studies'),
}));

export const handler = (input: SelectStudiesInput): Promise<SelectedStudies> => wired()(input);
