/**
 * Record import: writes the outcome of a study version's import on the study
 * META (`healthImaging`) and announces it: `HealthImaging Import Completed`
 * with the image set ids, or `HealthImaging Import Failed` with a reason code.
 * Events carry the pseudonymous study key, the version, the job id, counts and
 * codes; never file names, S3 keys, error messages or tokens.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { ImportJobState, ImportState, ImportStateError, RecordKind, Recorded, RecordRequest, studyVersionOf } from './import-state';
import { findKey, getObjectText, ObjectTooLargeError } from './staging-objects';
import {
  FAILURE_FILE,
  FAILURE_FOLDER,
  ImportOutputError,
  importOutcome,
  JOB_OUTPUT_MANIFEST,
  parseFailureNdjson,
  parseJobOutputManifest,
  parseS3Uri,
  parseSuccessNdjson,
  SUCCESS_FILE,
  SUCCESS_FOLDER,
} from '../../../core/import-jobs';
import { DetailType, HealthImagingFailureReason, HealthImagingFailureReasonValue } from '../../../shared/events';
import {
  HealthImagingImportRecord,
  healthImagingOutputPrefix,
  HealthImagingStatus,
  MAX_RECORDED_IMAGE_SETS,
} from '../../../shared/records';
import { SafeLog } from '../../lambda/logger';
import { EventPublisher, publishEvent } from '../../messaging/publish';
import { TableContext } from '../../storage/context';
import { recordHealthImagingImport } from '../../storage/studies';

export interface RecordImportDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly stagingBucket: string;
  readonly events: EventPublisher;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Largest output file read. @default 64 MiB */
  readonly maxOutputBytes?: number;
}

/** Listing pages searched for the manifest when the job's own output location does not hold it. */
const MAX_LISTING_PAGES = 10;
const REASONS: readonly string[] = Object.values(HealthImagingFailureReason);
const ERROR_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const JOB_ID = /^[0-9A-Za-z]{1,64}$/;

export async function recordImport(deps: RecordImportDeps, request: RecordRequest): Promise<Recorded> {
  const { studyKey, version } = studyVersionOf(request.state);
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  switch (request.kind) {
    case RecordKind.NO_DICOM:
      await recordHealthImagingImport(deps.table, studyKey, { version, status: HealthImagingStatus.SKIPPED, stagedFiles: 0, updatedAt: now });
      deps.log.info('No DICOM to import', { studyKey, version });
      return { status: HealthImagingStatus.SKIPPED };
    case RecordKind.FAILURE:
      return recordFailure(deps, request.state, now);
    case RecordKind.RESULT:
      return recordResult(deps, request.state, now);
    default:
      throw new ImportStateError('kind');
  }
}

function jobIdOf(job: ImportJobState | undefined): string | undefined {
  return job !== undefined && typeof job.jobId === 'string' && JOB_ID.test(job.jobId) ? job.jobId : undefined;
}

async function recordFailure(deps: RecordImportDeps, state: ImportState, now: string): Promise<Recorded> {
  const { studyKey, version } = studyVersionOf(state);
  const reasonCode = (REASONS.includes(state.reasonCode ?? '') ? state.reasonCode : HealthImagingFailureReason.JOB_FAILED) as HealthImagingFailureReasonValue;
  const caught = state.error?.Error;
  const errorName = caught === undefined ? undefined : ERROR_NAME.test(caught) ? caught : 'Error';
  const jobId = jobIdOf(state.job);
  const record: HealthImagingImportRecord = {
    version,
    status: HealthImagingStatus.FAILED,
    ...(jobId === undefined ? {} : { jobId }),
    ...(state.staging === undefined ? {} : { stagedFiles: state.staging.staged }),
    reasonCode,
    ...(errorName === undefined ? {} : { errorName }),
    updatedAt: now,
  };
  await announce(deps, studyKey, record, {
    studyKey,
    version,
    reasonCode,
    jobId,
    errorName,
  });
  return { status: HealthImagingStatus.FAILED };
}

async function recordResult(deps: RecordImportDeps, state: ImportState, now: string): Promise<Recorded> {
  const { studyKey, version } = studyVersionOf(state);
  const jobId = jobIdOf(state.job);
  if (jobId === undefined) throw new ImportStateError('job');
  const output = await readJobOutput(deps, studyKey, version, jobId, state.job?.outputS3Uri);
  const staged = state.staging?.staged ?? 0;
  const outcome = importOutcome(output.summary, staged);
  const imageSetIds = output.imageSetIds.slice(0, MAX_RECORDED_IMAGE_SETS);
  const record: HealthImagingImportRecord = {
    version,
    status: outcome.status,
    jobId,
    stagedFiles: staged,
    importedFiles: outcome.importedFiles,
    failedFiles: outcome.failedFiles,
    imageSetIds,
    imageSetCount: output.imageSetIds.length,
    ...(outcome.reasonCode === undefined ? {} : { reasonCode: outcome.reasonCode }),
    updatedAt: now,
  };
  const counts = {
    importedFiles: outcome.importedFiles,
    imageSetCount: output.imageSetIds.length,
  };
  await announce(deps, studyKey, record, outcome.status === HealthImagingStatus.COMPLETED
    ? { studyKey, version, jobId, ...counts, imageSetIds }
    : {
      studyKey,
      version,
      jobId,
      reasonCode: outcome.reasonCode,
      partial: outcome.status === HealthImagingStatus.PARTIAL,
      ...counts,
      failedFiles: outcome.failedFiles,
      exceptionTypes: output.exceptionTypes,
    });
  return { status: outcome.status };
}

/** Records, then publishes; a record refused because a newer version owns the attribute announces nothing. */
async function announce(
  deps: RecordImportDeps,
  studyKey: string,
  record: HealthImagingImportRecord,
  detail: Record<string, string | number | boolean | readonly string[] | undefined>,
): Promise<void> {
  const fields = { studyKey, version: record.version, status: record.status, reasonCode: record.reasonCode, errorName: record.errorName };
  if (!await recordHealthImagingImport(deps.table, studyKey, record)) {
    deps.log.warn('Import outcome not recorded: the study has a newer or different import record', fields);
    return;
  }
  const detailType = record.status === HealthImagingStatus.COMPLETED
    ? DetailType.HEALTH_IMAGING_IMPORT_COMPLETED
    : DetailType.HEALTH_IMAGING_IMPORT_FAILED;
  await publishEvent(deps.events, detailType, detail);
  deps.log[record.status === HealthImagingStatus.COMPLETED ? 'info' : 'warn']('Import outcome recorded', {
    ...fields,
    imageCount: record.importedFiles,
    failedCount: record.failedFiles,
  });
}

interface JobOutput {
  readonly summary: ReturnType<typeof parseJobOutputManifest>;
  readonly imageSetIds: readonly string[];
  readonly exceptionTypes: readonly string[];
}

/**
 * The job's manifest (at the output location GetDICOMImportJob reported, or
 * found under the version's output prefix), plus the image set ids of
 * `success.ndjson` when the manifest lists none, and the exception types of
 * `failure.ndjson` when files were refused. Only keys under the version's own
 * output prefix of the staging bucket are read.
 */
async function readJobOutput(deps: RecordImportDeps, studyKey: string, version: number, jobId: string, reported?: string): Promise<JobOutput> {
  const bucket = deps.stagingBucket;
  const maxBytes = deps.maxOutputBytes ?? 64 * 2 ** 20;
  const outputPrefix = healthImagingOutputPrefix(studyKey, version);
  const ownFolder = (uri: string | undefined): string | undefined => {
    const location = uri === undefined ? undefined : parseS3Uri(uri);
    if (location === undefined || location.bucket !== bucket || !location.key.startsWith(outputPrefix) || location.key.includes('..')) return undefined;
    return location.key.endsWith('/') ? location.key : `${location.key}/`;
  };
  const read = (key: string) => getObjectText(deps.s3, bucket, key, maxBytes);

  let folder = ownFolder(reported);
  let manifest = folder === undefined ? undefined : await read(`${folder}${JOB_OUTPUT_MANIFEST}`);
  if (manifest === undefined) {
    const found = await findKey(deps.s3, bucket, outputPrefix,
      (key) => key.endsWith(`/${JOB_OUTPUT_MANIFEST}`) && key.includes(jobId), MAX_LISTING_PAGES);
    if (found !== undefined) {
      folder = found.slice(0, found.length - JOB_OUTPUT_MANIFEST.length);
      manifest = await read(found);
    }
  }
  if (manifest === undefined || folder === undefined) throw new ImportOutputError(`${JOB_OUTPUT_MANIFEST} not found`);
  const summary = parseJobOutputManifest(manifest);

  // The ndjson files only add detail: a missing or oversized one leaves the manifest's answer.
  const optional = async (key: string): Promise<string | undefined> => {
    try {
      return await read(key);
    } catch (error) {
      if (error instanceof ObjectTooLargeError) return undefined;
      throw error;
    }
  };
  let imageSetIds = summary.imageSetIds;
  if (imageSetIds.length === 0 && summary.importedFiles > 0) {
    const text = await optional(`${ownFolder(summary.successOutputUri) ?? `${folder}${SUCCESS_FOLDER}`}${SUCCESS_FILE}`);
    imageSetIds = text === undefined ? [] : parseSuccessNdjson(text).imageSetIds;
  }
  let exceptionTypes: readonly string[] = [];
  if (summary.failedFiles > 0) {
    const text = await optional(`${ownFolder(summary.failureOutputUri) ?? `${folder}${FAILURE_FOLDER}`}${FAILURE_FILE}`);
    exceptionTypes = text === undefined ? [] : parseFailureNdjson(text).exceptionTypes;
  }
  return { summary, imageSetIds, exceptionTypes };
}
