/** Workflow step "Select images": WorkflowInput -> WorkflowStudy (`$.study`); the image list goes to the manifest in S3. */
import { EnvVar } from '../../../shared/env';
import { WorkflowInput, WorkflowStudy } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { selectImages, SelectImagesDeps } from '../../steps/select-images';

export function handleSelectImages(deps: SelectImagesDeps & { readonly log: SafeLog }) {
  return async (input: WorkflowInput): Promise<WorkflowStudy> => {
    const study = await selectImages(deps, input);
    deps.log.info('Images selected', { studyKey: study.studyKey, version: study.version, imageCount: study.imageCount, reanalysis: study.reanalysis !== undefined });
    return study;
  };
}

const wired = lazy(() => handleSelectImages({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('select-images'),
}));

export const handler = (input: WorkflowInput): Promise<WorkflowStudy> => wired()(input);
