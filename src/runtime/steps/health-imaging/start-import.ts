/**
 * Start import: submits the staged DICOM of a study version to HealthImaging
 * (StartDICOMImportJob) with a client token derived from the version, so a
 * retried start returns the job already submitted, and records IMPORTING.
 * Service errors keep their names (ThrottlingException, ...) for the
 * definition's retries.
 */
import { StartDICOMImportJobCommand } from '@aws-sdk/client-medical-imaging';
import { ImportJobState, ImportState, ImportTarget, studyVersionOf } from './import-state';
import { importClientToken, importJobName, s3Uri } from '../../../core/import-jobs';
import { healthImagingInputPrefix, healthImagingOutputPrefix, HealthImagingStatus } from '../../../shared/records';
import { SafeLog } from '../../lambda/logger';
import { TableContext } from '../../storage/context';
import { recordHealthImagingImport } from '../../storage/studies';

export interface StartImportDeps {
  readonly table: TableContext;
  readonly target: ImportTarget;
  readonly stagingBucket: string;
  readonly log: SafeLog;
  readonly clock?: () => Date;
}

/** HealthImaging accepted the request but named no job. */
export class ImportNotSubmittedError extends Error {
  constructor() {
    super('StartDICOMImportJob returned no job id');
    this.name = 'ImportNotSubmittedError';
  }
}

export async function startImport(deps: StartImportDeps, state: ImportState): Promise<ImportJobState> {
  const { studyKey, version } = studyVersionOf(state);
  const { target } = deps;
  const response = await target.client.send(new StartDICOMImportJobCommand({
    datastoreId: target.datastoreId,
    dataAccessRoleArn: target.dataAccessRoleArn,
    clientToken: importClientToken(target.datastoreId, studyKey, version),
    jobName: importJobName(studyKey, version),
    inputS3Uri: s3Uri({ bucket: deps.stagingBucket, key: healthImagingInputPrefix(studyKey, version) }),
    outputS3Uri: s3Uri({ bucket: deps.stagingBucket, key: healthImagingOutputPrefix(studyKey, version) }),
  }));
  if (response.jobId === undefined || response.jobId === '') throw new ImportNotSubmittedError();
  await recordHealthImagingImport(deps.table, studyKey, {
    version,
    status: HealthImagingStatus.IMPORTING,
    jobId: response.jobId,
    stagedFiles: state.staging?.staged,
    updatedAt: (deps.clock ?? (() => new Date()))().toISOString(),
  });
  deps.log.info('Import job submitted', { studyKey, version, status: response.jobStatus });
  return { jobId: response.jobId, status: response.jobStatus ?? 'SUBMITTED', polls: 0 };
}
