/** Workflow step "Select images": WorkflowInput -> StudyDescriptor (`$.study`). */
import { StudyDescriptor } from '../../../shared/analyzer-result';
import { EnvVar } from '../../../shared/env';
import { WorkflowInput } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { selectImages, SelectImagesDeps } from '../../steps/select-images';

export function handleSelectImages(deps: SelectImagesDeps & { readonly log: SafeLog }) {
  return async (input: WorkflowInput): Promise<StudyDescriptor> => {
    const study = await selectImages(deps, input);
    deps.log.info('Images selected', { studyKey: study.studyKey, version: study.version, imageCount: study.images.length });
    return study;
  };
}

const wired = lazy(() => handleSelectImages({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('select-images'),
}));

export const handler = (input: WorkflowInput): Promise<StudyDescriptor> => wired()(input);
