/**
 * Check import: one GetDICOMImportJob for the study version's job. The
 * definition waits between checks and stops after a bounded number of them.
 */
import { GetDICOMImportJobCommand } from '@aws-sdk/client-medical-imaging';
import { ImportJobState, ImportState, ImportStateError, ImportTarget, studyVersionOf } from './import-state';
import { SafeLog } from '../../lambda/logger';

export interface CheckImportDeps {
  readonly target: ImportTarget;
  readonly log: SafeLog;
}

/** GetDICOMImportJob answered without a job status. */
export class ImportStatusMissingError extends Error {
  constructor() {
    super('GetDICOMImportJob returned no job status');
    this.name = 'ImportStatusMissingError';
  }
}

export async function checkImport(deps: CheckImportDeps, state: ImportState): Promise<ImportJobState> {
  const { studyKey, version } = studyVersionOf(state);
  const job = state.job;
  if (job === undefined || typeof job.jobId !== 'string' || job.jobId === '') throw new ImportStateError('job');
  const response = await deps.target.client.send(new GetDICOMImportJobCommand({ datastoreId: deps.target.datastoreId, jobId: job.jobId }));
  const properties = response.jobProperties;
  if (properties?.jobStatus === undefined) throw new ImportStatusMissingError();
  const polls = (Number.isInteger(job.polls) ? job.polls : 0) + 1;
  deps.log.info('Import job checked', { studyKey, version, status: properties.jobStatus, recordCount: polls });
  return {
    jobId: job.jobId,
    status: properties.jobStatus,
    polls,
    ...(properties.outputS3Uri === undefined ? {} : { outputS3Uri: properties.outputS3Uri }),
  };
}
