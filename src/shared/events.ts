/**
 * EventBridge contract. Payloads carry pseudonymous keys only, never names, MRNs,
 * accession numbers, dates of birth or original UIDs.
 */
export const EVENT_SOURCE = 'medical-imaging-pipeline';

export const DetailType = {
  STUDY_RECEIVED: 'Study Received',
  OBJECT_REJECTED: 'Object Rejected',
  ANALYSIS_COMPLETED: 'Analysis Completed',
  REVIEW_REQUIRED: 'Review Required',
  STUDY_FAILED: 'Study Failed',
} as const;
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
