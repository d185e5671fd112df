/**
 * EventBridge contract. Payloads carry pseudonymous keys only, never names, MRNs,
 * accession numbers, dates of birth or original UIDs. Each detail type has a
 * versioned JSON Schema in `schemas/events/` of the package.
 */
export const EVENT_SOURCE = 'medical-imaging-pipeline';

/**
 * Names of the pipeline's EventBridge events (detail types) and their source, for rules and filter policies.
 *
 * A class of constants rather than module constants so Python and the other jsii languages see them too.
 */
export class PipelineEvents {
  /** The `source` of every event the pipeline publishes. */
  public static readonly SOURCE = EVENT_SOURCE;
  /** A new study (or a new version of one) started arriving. */
  public static readonly STUDY_RECEIVED = 'Study Received';
  /** An uploaded or referenced object was quarantined; carries a reason code and a keyed hash of the object. */
  public static readonly OBJECT_REJECTED = 'Object Rejected';
  /** A study version was analysed and released, or decided by a clinician. */
  public static readonly ANALYSIS_COMPLETED = 'Analysis Completed';
  /** A study version is held for a clinician's review. */
  public static readonly REVIEW_REQUIRED = 'Review Required';
  /** A held study's review deadline passed without a decision (a preliminary report was issued). */
  public static readonly REVIEW_OVERDUE = 'Review Overdue';
  /** A study version could not be analysed. */
  public static readonly STUDY_FAILED = 'Study Failed';
  /** A re-analysis run over past studies ended; carries its counts (studies re-analysed, failed by reason). */
  public static readonly REANALYSIS_COMPLETED = 'Reanalysis Completed';
  /** Sent to the pipeline's bus to have an object (or prefix) that is already stored analysed, or a stored study re-analysed. */
  public static readonly ANALYSIS_REQUESTED = 'Analysis Requested';
  /** A study version's de-identified DICOM is in AWS HealthImaging; carries the image set ids. */
  public static readonly HEALTH_IMAGING_IMPORT_COMPLETED = 'HealthImaging Import Completed';
  /** A study version's HealthImaging import failed, wholly or for some files; carries a reason code. */
  public static readonly HEALTH_IMAGING_IMPORT_FAILED = 'HealthImaging Import Failed';

  /**
   * Schema version of the detail of an event the pipeline publishes (its `schemaVersion` field).
   *
   * Raised when a field is removed or changes meaning; added fields keep the version.
   */
  public static readonly SCHEMA_VERSION = '1';

  private constructor() {}
}

type DetailTypes = Omit<typeof PipelineEvents, 'prototype' | 'SOURCE' | 'SCHEMA_VERSION'>;
const NOT_DETAIL_TYPES: readonly string[] = ['SOURCE', 'SCHEMA_VERSION'];
/** The detail types: `PipelineEvents` without the source and the schema version. */
export const DetailType = Object.freeze(Object.fromEntries(
  Object.entries(PipelineEvents).filter(([name]) => !NOT_DETAIL_TYPES.includes(name)),
)) as DetailTypes;
export type DetailTypeValue = (typeof DetailType)[keyof typeof DetailType];

/** Reason codes for quarantined input; machine-readable and PHI-free. */
export const RejectionReason = {
  EMPTY_OBJECT: 'EMPTY_OBJECT',
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  TRUNCATED_DICOM: 'TRUNCATED_DICOM',
  INVALID_DICOM: 'INVALID_DICOM',
  MISSING_PIXEL_DATA: 'MISSING_PIXEL_DATA',
  UNSUPPORTED_TRANSFER_SYNTAX: 'UNSUPPORTED_TRANSFER_SYNTAX',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  TOO_LARGE: 'TOO_LARGE',
  /** A multi-frame object with more frames than the configured bound. */
  TOO_MANY_FRAMES: 'TOO_MANY_FRAMES',
  /** Text may be burned into the pixels (BurnedInAnnotation YES, or a modality known for it) and the policy is QUARANTINE. */
  BURNED_IN_ANNOTATION: 'BURNED_IN_ANNOTATION',
  /** An `Analysis Requested` event that is malformed (no bucket, both or neither of key and prefix, unknown version). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** An `Analysis Requested` event naming a bucket or key outside the sources the pipeline may read. */
  SOURCE_NOT_ALLOWED: 'SOURCE_NOT_ALLOWED',
  /** An `Analysis Requested` event naming an object (or a prefix holding objects) that does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** An `Analysis Requested` prefix holding more objects than one request may fan out to. */
  TOO_MANY_OBJECTS: 'TOO_MANY_OBJECTS',
} as const;
export type RejectionReasonValue = (typeof RejectionReason)[keyof typeof RejectionReason];

/** Why a HealthImaging import did not complete; machine-readable and PHI-free. */
export const HealthImagingFailureReason = {
  /** Copying the study's DICOM to the staging prefix failed, or did not finish within its rounds. */
  STAGING_FAILED: 'STAGING_FAILED',
  /** StartDICOMImportJob was refused (after retries for throttling and quotas). */
  START_FAILED: 'START_FAILED',
  /** GetDICOMImportJob kept failing. */
  STATUS_CHECK_FAILED: 'STATUS_CHECK_FAILED',
  /** HealthImaging reported the job FAILED. */
  JOB_FAILED: 'JOB_FAILED',
  /** The job did not finish within the import timeout. */
  TIMED_OUT: 'TIMED_OUT',
  /** The job finished but its output manifest could not be read. */
  RESULT_UNREADABLE: 'RESULT_UNREADABLE',
  /** The job finished but HealthImaging refused some (PARTIAL) or all (FAILED) of the files. */
  FILES_NOT_IMPORTED: 'FILES_NOT_IMPORTED',
} as const;
export type HealthImagingFailureReasonValue = (typeof HealthImagingFailureReason)[keyof typeof HealthImagingFailureReason];

/** Version of the `Analysis Requested` detail this pipeline reads. */
export const ANALYSIS_REQUEST_VERSION = '1';

/**
 * Detail of an `Analysis Requested` event: an object, or every object under a
 * prefix, already stored in a bucket the pipeline may read (its upload prefix or
 * a configured referenced source). Exactly one of `key` and `prefix`.
 */
export interface AnalysisRequestedDetail {
  readonly version: string;
  readonly bucket: string;
  readonly key?: string;
  readonly prefix?: string;
  /** Object size in bytes, when the requester (or the prefix fan-out) knows it. */
  readonly size?: number;
  /** Object version, when the bucket is versioned and a specific one is wanted. */
  readonly versionId?: string;
}

/**
 * Detail of an `Analysis Requested` event of the study form: a stored study
 * (its pseudonymous key) analysed again by the re-analysis, as a new version.
 */
export interface StudyAnalysisRequestedDetail {
  readonly version: string;
  readonly studyKey: string;
  /** Analyzers to run again. @default - every analyzer of the workflow */
  readonly analyzers?: readonly string[];
}
