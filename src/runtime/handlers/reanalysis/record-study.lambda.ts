/** Re-analysis step "Record study": the study's result (and change summary) for the run's summary. */
import { StudyReanalysisResult } from '../../../core/reanalysis';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { recordStudyResult, RecordStudyDeps, RecordStudyInput } from '../../steps/reanalysis-record';

export function handleRecordStudy(deps: RecordStudyDeps & { readonly log: SafeLog }) {
  return async (input: RecordStudyInput): Promise<StudyReanalysisResult> => {
    const result = await recordStudyResult(deps, input);
    deps.log.info('Re-analysis of a study recorded', {
      studyKey: result.studyKey,
      status: result.status,
      ...(result.status === 'FAILED' ? { reasonCode: result.reason, errorName: result.errorName } : { version: result.version }),
    });
    return result;
  };
}

const wired = lazy(() => handleRecordStudy({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  reportsBucket: requireEnv(EnvVar.REPORTS_BUCKET),
  log: createSafeLog('reanalysis-record-study'),
}));

export const handler = (input: RecordStudyInput): Promise<StudyReanalysisResult> => wired()(input);
