/**
 * The versioned contract between the workflow and every analyzer.
 * These are jsii structs: they appear in the Python bindings too, so that a
 * Python-written analyzer Lambda can be checked against the same shape.
 */

/** Version of the study descriptor and analyzer result contract. */
export const ANALYZER_CONTRACT_VERSION = '1.0';

/** Outcome of one analyzer on one study. */
export enum AnalyzerStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}

/** Location of a finding in the image, as fractions (0..1) of width and height. */
export interface FindingRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** One thing an analyzer saw. */
export interface AnalyzerFinding {
  /** Human-readable label, e.g. "Underexposed image". */
  readonly label: string;
  /** Code in `codeSystem`, e.g. a SNOMED CT or RadLex concept id. @default - none */
  readonly code?: string;
  /** Code system URI, e.g. http://snomed.info/sct or http://radlex.org. @default - none */
  readonly codeSystem?: string;
  /** Confidence between 0 and 1. */
  readonly confidence: number;
  /** The image the finding refers to (`ImageReference.imageRef`). */
  readonly imageRef: string;
  /** Where in the image. @default - whole image */
  readonly region?: FindingRegion;
}

/** What every analyzer returns (contract version `ANALYZER_CONTRACT_VERSION`). */
export interface AnalyzerResult {
  readonly schemaVersion: string;
  readonly analyzerName: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly status: AnalyzerStatus;
  readonly findings: AnalyzerFinding[];
  readonly durationMs: number;
  /** Machine-readable failure reason (no PHI). @default - none */
  readonly errorCode?: string;
}

/** One de-identified image an analyzer may read. */
export interface ImageReference {
  /** Stable id of the image inside the study: `<seriesKey>/<instanceKey>`. */
  readonly imageRef: string;
  /** Bucket holding the derived (de-identified) images. */
  readonly bucket: string;
  /** Key of the full-resolution 8-bit PNG preview. */
  readonly previewKey: string;
  /** Key of the analyzer-sized PNG (bounded in pixels and bytes). */
  readonly analysisKey: string;
  readonly width: number;
  readonly height: number;
  /** DICOM modality (CT, MR, DX, ...) or OT for plain images. @default - unknown */
  readonly modality?: string;
}

/** The study as every analyzer sees it: pseudonymous ids and de-identified images only. */
export interface StudyDescriptor {
  readonly schemaVersion: string;
  readonly studyKey: string;
  readonly version: number;
  readonly images: ImageReference[];
  /**
   * True when an image was accepted under the FLAG_FOR_REVIEW burned-in
   * annotation policy: a clinician reviews the findings whatever their confidence.
   * @default false
   */
  readonly requiresReview?: boolean;
}

/** The event an analyzer Lambda receives. */
export interface AnalyzerInvocation {
  readonly schemaVersion: string;
  /** Name the analyzer was registered under. */
  readonly analyzerName: string;
  readonly study: StudyDescriptor;
}
