/**
 * Reading what a HealthImaging import job leaves in its output location:
 * `job-output-manifest.json` (a `jobSummary` with file counts and the image
 * sets), `SUCCESS/success.ndjson` (one line per imported file, with its
 * `importResponse.imageSetId`) and `FAILURE/failure.ndjson` (one line per
 * refused file, with an `exception`). Only counts, image set ids and exception
 * type names are taken; file names and exception messages are never kept.
 */
import { HealthImagingFailureReason, HealthImagingFailureReasonValue } from '../../shared/events';
import { HealthImagingStatus, HealthImagingStatusValue } from '../../shared/records';

/** Names inside a job's output folder (`<outputS3Uri><datastoreId>-DicomImport-<jobId>/` today). */
export const JOB_OUTPUT_MANIFEST = 'job-output-manifest.json';
export const SUCCESS_FOLDER = 'SUCCESS/';
export const SUCCESS_FILE = 'success.ndjson';
export const FAILURE_FOLDER = 'FAILURE/';
export const FAILURE_FILE = 'failure.ndjson';

/** Image set ids are opaque service identifiers (`[0-9a-z]{32}` today); anything else is ignored. */
const IMAGE_SET_ID = /^[0-9A-Za-z]{1,64}$/;
/** Exception types are class names such as `ValidationException`; anything else is ignored. */
const EXCEPTION_TYPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_EXCEPTION_TYPES = 10;

/** The job output could not be understood; the message names the part, never its content. */
export class ImportOutputError extends Error {
  constructor(part: string) {
    super(`The import job output is not readable: ${part}`);
    this.name = 'ImportOutputError';
  }
}

export interface ImportJobSummary {
  readonly scannedFiles: number;
  readonly importedFiles: number;
  /** Files refused for a problem in the file (customer error) or in the service (server error). */
  readonly failedFiles: number;
  /** Unique, in the order the manifest lists them. */
  readonly imageSetIds: readonly string[];
  readonly successOutputUri?: string;
  readonly failureOutputUri?: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function count(summary: Json, name: string): number {
  const value = summary[name];
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ImportOutputError(`jobSummary.${name}`);
  return value;
}

function unique(ids: Iterable<unknown>): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id === 'string' && IMAGE_SET_ID.test(id)) seen.add(id);
  }
  return [...seen];
}

/** Parses `job-output-manifest.json`. */
export function parseJobOutputManifest(text: string): ImportJobSummary {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ImportOutputError('manifest is not JSON');
  }
  const summary = isObject(document) ? document.jobSummary : undefined;
  if (!isObject(summary)) throw new ImportOutputError('manifest has no jobSummary');
  const imageSets = summary.imageSetsSummary;
  if (imageSets !== undefined && !Array.isArray(imageSets)) throw new ImportOutputError('jobSummary.imageSetsSummary');
  const uri = (name: string) => (typeof summary[name] === 'string' ? summary[name] as string : undefined);
  return {
    scannedFiles: count(summary, 'numberOfScannedFiles'),
    importedFiles: count(summary, 'numberOfImportedFiles'),
    failedFiles: count(summary, 'numberOfFilesWithCustomerError') + count(summary, 'numberOfFilesWithServerError'),
    imageSetIds: unique((imageSets ?? []).map((entry) => (isObject(entry) ? entry.imageSetId : undefined))),
    successOutputUri: uri('successOutputS3Uri'),
    failureOutputUri: uri('failureOutputS3Uri'),
  };
}

/** One ndjson line as an object; tolerates the Python-style `True`/`False` some samples of this output show. */
function parseLine(line: string): Json | undefined {
  for (const candidate of [line, line.replace(/:\s*True\b/g, ':true').replace(/:\s*False\b/g, ':false')]) {
    try {
      const value: unknown = JSON.parse(candidate);
      return isObject(value) ? value : undefined;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

export interface SuccessLines {
  readonly files: number;
  readonly imageSetIds: readonly string[];
}

/** The image sets named in `success.ndjson` (for a manifest that does not list them). */
export function parseSuccessNdjson(text: string): SuccessLines {
  const entries = lines(text).map(parseLine);
  const ids = entries.map((entry) => {
    const response = entry?.importResponse;
    return isObject(response) ? response.imageSetId : undefined;
  });
  return { files: entries.length, imageSetIds: unique(ids) };
}

export interface FailureLines {
  readonly files: number;
  /** Distinct exception type names (e.g. `ValidationException`), sorted, at most ten. */
  readonly exceptionTypes: readonly string[];
}

/** What kinds of refusal `failure.ndjson` reports; the file names and messages are dropped. */
export function parseFailureNdjson(text: string): FailureLines {
  const entries = lines(text).map(parseLine);
  const types = new Set<string>();
  for (const entry of entries) {
    const exception = entry?.exception;
    const type = isObject(exception) ? exception.exceptionType : undefined;
    if (typeof type === 'string' && EXCEPTION_TYPE.test(type)) types.add(type);
  }
  return { files: entries.length, exceptionTypes: [...types].sort().slice(0, MAX_EXCEPTION_TYPES) };
}

export interface ImportOutcome {
  readonly status: HealthImagingStatusValue;
  readonly importedFiles: number;
  /** Files refused, or staged but never imported. */
  readonly failedFiles: number;
  readonly reasonCode?: HealthImagingFailureReasonValue;
}

/**
 * COMPLETED when every staged file was imported; PARTIAL when some were;
 * FAILED when none was. A staged file the job neither imported nor refused
 * counts as not imported (HealthImaging reports status COMPLETED for a job
 * whose files all failed validation).
 */
export function importOutcome(summary: Pick<ImportJobSummary, 'importedFiles' | 'failedFiles'>, stagedFiles: number): ImportOutcome {
  const failedFiles = Math.max(summary.failedFiles, stagedFiles - summary.importedFiles);
  if (failedFiles === 0 && summary.importedFiles > 0) {
    return { status: HealthImagingStatus.COMPLETED, importedFiles: summary.importedFiles, failedFiles };
  }
  return {
    status: summary.importedFiles > 0 ? HealthImagingStatus.PARTIAL : HealthImagingStatus.FAILED,
    importedFiles: summary.importedFiles,
    failedFiles: Math.max(failedFiles, 1),
    reasonCode: HealthImagingFailureReason.FILES_NOT_IMPORTED,
  };
}
