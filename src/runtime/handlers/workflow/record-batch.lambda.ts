/** Workflow step "Record <analyzer> batch|failure": one batch's validated result -> S3. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { recordBatch, RecordBatchDeps, RecordBatchOutput, RecordBatchRequest } from '../../steps/record-batch';

export function handleRecordBatch(deps: RecordBatchDeps) {
  return async (request: RecordBatchRequest): Promise<RecordBatchOutput> => {
    const output = await recordBatch(deps, request);
    deps.log.info('Batch recorded', {
      studyKey: request.study?.studyKey,
      version: request.study?.version,
      analyzerName: request.analyzerName,
      batchIndex: output.index,
      status: output.status,
      findingCount: output.findingCount,
      errorCode: output.errorCode,
    });
    return output;
  };
}

const wired = lazy(() => handleRecordBatch({
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('record-batch'),
}));

export const handler = (request: RecordBatchRequest): Promise<RecordBatchOutput> => wired()(request);
