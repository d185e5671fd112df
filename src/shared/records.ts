/**
 * Single-table layout of the results table (see DESIGN.md "Table keys").
 * Key builders live here so constructs, handlers and tests agree on them.
 */

/** Study lifecycle; moved only by conditional updates. */
export const StudyStatus = {
  RECEIVING: 'RECEIVING',
  READY: 'READY',
  ANALYZING: 'ANALYZING',
  IN_REVIEW: 'IN_REVIEW',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
} as const;
export type StudyStatusValue = (typeof StudyStatus)[keyof typeof StudyStatus];

/** Status of a record for an object that was refused at ingest. */
export const REJECTED_STATUS = 'REJECTED';

export const TableAttr = {
  PK: 'PK',
  SK: 'SK',
  /** Partition key of the worklist index; set only on study META and REJECTED records. */
  STATUS: 'status',
  /** Sort key of the worklist index (ISO-8601). */
  UPDATED_AT: 'updatedAt',
} as const;

/** Global secondary index: status + updatedAt, for worklists and the sweeper. */
export const STATUS_INDEX_NAME = 'StatusIndex';

/**
 * Sparse global secondary index of the studies awaiting review: only a study
 * META in IN_REVIEW carries its keys, so the index holds the review worklist
 * and nothing else, already in worklist order (priority, then deadline).
 */
export const REVIEW_QUEUE_INDEX_NAME = 'ReviewQueueIndex';
export const ReviewQueueAttr = {
  /** Partition key: `REVIEW_QUEUE` while the study is IN_REVIEW, absent otherwise. */
  QUEUE: 'reviewQueue',
  /** Sort key: `<priority rank>#<review deadline>#<studyKey>` (STAT sorts first). */
  RANK: 'reviewRank',
} as const;
export const REVIEW_QUEUE = 'REVIEW_QUEUE';
/** Attributes of the study META the review queue index projects: what the worklist shows. */
export const REVIEW_QUEUE_PROJECTION: readonly string[] = [
  'studyKey', 'version', 'status', 'priority', 'reviewDeadline', 'reviewOverdue', 'modality', 'instanceCount', 'updatedAt',
];
/** Order of priorities on the review queue; an unknown priority sorts last. */
const PRIORITY_RANK: Readonly<Record<string, string>> = { STAT: '1', URGENT: '2', ROUTINE: '3' };
export function reviewRank(priority: string, reviewDeadline: string, studyKey: string): string {
  return `${PRIORITY_RANK[priority] ?? '9'}#${reviewDeadline}#${studyKey}`;
}

export const META_SK = 'META';

export function studyPk(studyKey: string): string {
  return `STUDY#${studyKey}`;
}
export function instanceSk(seriesKey: string, instanceKey: string): string {
  return `INSTANCE#${seriesKey}#${instanceKey}`;
}
export const INSTANCE_SK_PREFIX = 'INSTANCE#';
export function analysisSk(analyzerName: string, run: string): string {
  return `ANALYSIS#${analyzerName}#${run}`;
}
/** One report of a study version; later decisions add revisions, earlier ones are kept. */
export function reportSk(version: number, revision = 1): string {
  return `REPORT#${String(version).padStart(4, '0')}#${String(revision).padStart(2, '0')}`;
}
/** The review of one study version (its task token while a clinician is awaited, the decision after). */
export function reviewSk(version: number): string {
  return `REVIEW#${String(version).padStart(4, '0')}`;
}
export const REVIEW_SK_PREFIX = 'REVIEW#';
export const REPORT_SK_PREFIX = 'REPORT#';
export function eventSk(isoTime: string, id: string): string {
  return `EVENT#${isoTime}#${id}`;
}
/** Rejected objects have no study; they are keyed by a hash of their location. */
export function rejectedPk(objectHash: string): string {
  return `REJECTED#${objectHash}`;
}

/** S3 layout of derived objects: everything for a study under one prefix, all studies under this one. */
export const STUDIES_PREFIX = 'studies/';
export function studyPrefix(studyKey: string): string {
  return `${STUDIES_PREFIX}${studyKey}/`;
}
export function instancePrefix(studyKey: string, seriesKey: string, instanceKey: string): string {
  return `${studyPrefix(studyKey)}${seriesKey}/${instanceKey}/`;
}

/** Everything the workflow writes for one study version, under the study's prefix. */
export function studyVersionPrefix(studyKey: string, version: number): string {
  return `${studyPrefix(studyKey)}v${String(version).padStart(4, '0')}/`;
}
/** The de-identified image list of a study version (JSON array of `ImageReference`). */
export function manifestKey(studyKey: string, version: number): string {
  return `${studyVersionPrefix(studyKey, version)}manifest.json`;
}
/** Every finding of a study version with what the finding rules decided for it. */
export function triageKey(studyKey: string, version: number): string {
  return `${studyVersionPrefix(studyKey, version)}triage.json`;
}
/** One analyzer's batches, batch records and study result. */
export function analysisPrefix(studyKey: string, version: number, analyzerName: string): string {
  return `${studyVersionPrefix(studyKey, version)}analyses/${analyzerName}/`;
}
export const BATCHES_OBJECT = 'batches.json';
export const STUDY_RESULT_OBJECT = 'result.json';
export function batchRecordObject(index: number): string {
  return `batch-${String(index).padStart(5, '0')}.json`;
}

/** Deterministic Step Functions execution name: a second start of the same version is a no-op. */
export function executionName(studyKey: string, version: number): string {
  return `study-${studyKey}-v${version}`.slice(0, 80);
}

/** Where a study version's HealthImaging import stands (the `healthImaging` attribute of the study META). */
export const HealthImagingStatus = {
  STAGING: 'STAGING',
  IMPORTING: 'IMPORTING',
  COMPLETED: 'COMPLETED',
  /** The job finished, but HealthImaging refused some of the files. */
  PARTIAL: 'PARTIAL',
  FAILED: 'FAILED',
  /** The study holds no DICOM (plain images only): nothing to import. */
  SKIPPED: 'SKIPPED',
} as const;
export type HealthImagingStatusValue = (typeof HealthImagingStatus)[keyof typeof HealthImagingStatus];

/** The HealthImaging import of one study version, as recorded on the study META. */
export interface HealthImagingImportRecord {
  readonly version: number;
  readonly status: HealthImagingStatusValue;
  /** The HealthImaging import job. */
  readonly jobId?: string;
  readonly stagedFiles?: number;
  readonly importedFiles?: number;
  readonly failedFiles?: number;
  /** The image sets the job created or updated (at most `MAX_RECORDED_IMAGE_SETS`). */
  readonly imageSetIds?: readonly string[];
  readonly imageSetCount?: number;
  /** A `HealthImagingFailureReason` when the status is PARTIAL or FAILED. */
  readonly reasonCode?: string;
  /** Name of the error behind a failure (e.g. `ThrottlingException`), never its message. */
  readonly errorName?: string;
  readonly updatedAt: string;
}
/** Image set ids kept on the study META (one per series; more are counted, not listed). */
export const MAX_RECORDED_IMAGE_SETS = 500;

/** Staging bucket layout: import input (study DICOM copies) and job output under two prefixes. */
export const HEALTH_IMAGING_INPUT_PREFIX = 'input/';
export const HEALTH_IMAGING_OUTPUT_PREFIX = 'output/';
/** The de-identified DICOM of one study version, staged for one import job. */
export function healthImagingInputPrefix(studyKey: string, version: number): string {
  return `${HEALTH_IMAGING_INPUT_PREFIX}${studyKey}/v${String(version).padStart(4, '0')}/`;
}
/** Where the import job of one study version writes its manifest and SUCCESS/FAILURE files. */
export function healthImagingOutputPrefix(studyKey: string, version: number): string {
  return `${HEALTH_IMAGING_OUTPUT_PREFIX}${studyKey}/v${String(version).padStart(4, '0')}/`;
}
/** Deterministic name of a study version's import execution: a second start is a no-op. */
export function healthImagingExecutionName(studyKey: string, version: number): string {
  return `import-${studyKey}-v${version}`.slice(0, 80);
}
