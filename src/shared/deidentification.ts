/**
 * Public (jsii) settings of the DICOM de-identification that the ingest
 * function applies to every DICOM object (PS3.15 Annex E, Basic Application
 * Level Confidentiality Profile). Plain data: the construct serializes it
 * into the ingest function's environment.
 */

/** What the ingest does with an image that may carry text burned into its pixels. */
export enum BurnedInAnnotationPolicy {
  /** Refuse it: the object is quarantined with reason BURNED_IN_ANNOTATION. */
  QUARANTINE = 'QUARANTINE',
  /** Ingest it like any other image. */
  ALLOW = 'ALLOW',
  /** Ingest it, mark the instance `burnedInAnnotation` and `requiresReview`, so the study goes to a clinician. */
  FLAG_FOR_REVIEW = 'FLAG_FOR_REVIEW',
}

/** Modalities whose images commonly carry burned-in text (ultrasound, endoscopy, photography, screen captures, other). */
export const DEFAULT_BURNED_IN_ANNOTATION_MODALITIES: readonly string[] = ['US', 'ES', 'XC', 'SC', 'OT'];

/**
 * Options of the Basic Application Level Confidentiality Profile. Every
 * retain option keeps exactly the attributes of its column in PS3.15 Table E.1-1.
 */
export interface DeidentificationOptions {
  /**
   * Retain Longitudinal Temporal Information with Full Dates Option: keep
   * dates and times (DCM 113106).
   * @default false - dates and times are removed, emptied or replaced by dummies
   */
  readonly retainLongitudinalTemporalInformation?: boolean;
  /**
   * Retain Patient Characteristics Option: keep sex, age, size, weight,
   * ethnic group, smoking and pregnancy status (DCM 113108).
   * @default false
   */
  readonly retainPatientCharacteristics?: boolean;
  /**
   * Retain Device Identity Option: keep station name, device serial numbers
   * and ids (DCM 113109).
   * @default false
   */
  readonly retainDeviceIdentity?: boolean;
  /**
   * Retain Institution Identity Option: keep institution name, address,
   * code and department (DCM 113112).
   * @default false
   */
  readonly retainInstitutionIdentity?: boolean;
  /**
   * Private data elements to keep, as 8 hex digits `ggggeeee` (optionally
   * written `(gggg,eeee)` or `gggg,eeee`), e.g. `00291010`. The private creator
   * of each kept element is kept too. Every other private element is removed.
   * @default [] - all private elements are removed
   */
  readonly privateTagSafeList?: string[];
  /**
   * What to do with images marked BurnedInAnnotation (0028,0301) = YES and with
   * images of the modalities in `burnedInAnnotationModalities`.
   * @default BurnedInAnnotationPolicy.QUARANTINE
   */
  readonly burnedInAnnotationPolicy?: BurnedInAnnotationPolicy;
  /**
   * Modalities treated as carrying burned-in text whatever (0028,0301) says
   * (devices of these modalities often write NO while printing the patient's name).
   * @default ['US', 'ES', 'XC', 'SC', 'OT']
   */
  readonly burnedInAnnotationModalities?: string[];
}
