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
export function reportSk(version: number): string {
  return `REPORT#${String(version).padStart(4, '0')}`;
}
export function eventSk(isoTime: string, id: string): string {
  return `EVENT#${isoTime}#${id}`;
}
/** Rejected objects have no study; they are keyed by a hash of their location. */
export function rejectedPk(objectHash: string): string {
  return `REJECTED#${objectHash}`;
}

/** S3 layout of derived objects: everything for a study under one prefix. */
export function studyPrefix(studyKey: string): string {
  return `studies/${studyKey}/`;
}
export function instancePrefix(studyKey: string, seriesKey: string, instanceKey: string): string {
  return `${studyPrefix(studyKey)}${seriesKey}/${instanceKey}/`;
}

/** Deterministic Step Functions execution name: a second start of the same version is a no-op. */
export function executionName(studyKey: string, version: number): string {
  return `study-${studyKey}-v${version}`.slice(0, 80);
}
