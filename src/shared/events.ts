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
  /** Sent to the pipeline's bus to have an object (or prefix) that is already stored analysed. */
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
