/** HealthImaging import step "Stage DICOM": copies a study version's de-identified DICOM to its staging prefix, resumably. */
import type { Context } from 'aws-lambda';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { ImportState, StagingProgress } from '../../steps/health-imaging/import-state';
import { StageDeps, stageStudyDicom } from '../../steps/health-imaging/stage-dicom';

export function handleStageDicom(deps: StageDeps) {
  return (state: ImportState, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<StagingProgress> =>
    stageStudyDicom(deps, state, () => context?.getRemainingTimeInMillis() ?? Number.MAX_SAFE_INTEGER);
}

const wired = lazy(() => handleStageDicom({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  stagingBucket: requireEnv(EnvVar.HEALTH_IMAGING_BUCKET),
  log: createSafeLog('health-imaging-stage'),
}));

export const handler = (state: ImportState, context: Context): Promise<StagingProgress> => wired()(state, context);
