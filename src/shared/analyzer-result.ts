/**
 * The versioned contract between the workflow and every analyzer.
 * These are jsii structs: they appear in the Python bindings too, so that a
 * Python-written analyzer Lambda can be checked against the same shape.
 */

/**
 * Version of the analyzer contract (study context, batch invocation, result).
 * 2.0: an analyzer is invoked per batch of selected images and sees the study
 * through a bounded `StudyContext` (the image list lives in an S3 manifest).
 */
export const ANALYZER_CONTRACT_VERSION = '2.0';

/**
 * Constants of the analyzer contract, as static members so that every jsii language reaches them.
 *
 * (A module-level constant such as `ANALYZER_CONTRACT_VERSION` exists in TypeScript only.)
 */
export class AnalyzerContract {
  /** Version of the analyzer contract that the workflow sends in every invocation and expects in every result. */
  public static readonly VERSION: string = ANALYZER_CONTRACT_VERSION;

  private constructor() {}
}

/** Outcome of one analyzer on one study (or on one batch of its images). */
export enum AnalyzerStatus {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}

/** What an image was uploaded as (sniffed from its bytes, not its name). */
export enum ImageSourceKind {
  DICOM = 'DICOM',
  PNG = 'PNG',
  JPEG = 'JPEG',
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

/** Tokens a generative model read and wrote (Bedrock). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
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
  /** Machine-readable failure reason (no PHI), e.g. THROTTLED, ACCESS_DENIED, MALFORMED_MODEL_OUTPUT. @default - none */
  readonly errorCode?: string;
  /** Why a SKIPPED analyzer did not apply, e.g. MODALITY_NOT_APPLICABLE. @default - none */
  readonly skipReason?: string;
  /** Images the analyzer looked at (the study result sums its batches). @default - not reported */
  readonly imageCount?: number;
  /** Images whose batch FAILED (study results only). @default 0 */
  readonly failedImageCount?: number;
  /** Model tokens used (generative models). @default - not reported */
  readonly tokenUsage?: TokenUsage;
}

/** An object in S3. */
export interface S3ObjectReference {
  readonly bucket: string;
  readonly key: string;
}

/** The UIDs of a de-identified DICOM instance (the pipeline's replacements, never the originals). */
export interface DeidentifiedUids {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
}

/** One de-identified image an analyzer may read. */
export interface ImageReference {
  /** Stable id of the image inside the study: `<seriesKey>/<instanceKey>`. */
  readonly imageRef: string;
  /** Bucket holding the derived (de-identified) images. */
  readonly bucket: string;
  /** Key of the full-resolution 8-bit PNG preview. */
  readonly previewKey: string;
  /** Key of the analyzer-sized 8-bit gray PNG (bounded in pixels and bytes). */
  readonly analysisKey: string;
  /** Size of the original image (and of the preview). */
  readonly width: number;
  readonly height: number;
  /** Size of the analyzer-sized PNG. @default - width and height */
  readonly analysisWidth?: number;
  readonly analysisHeight?: number;
  /** DICOM modality (CT, MR, DX, ...) or OT for plain images. @default - unknown */
  readonly modality?: string;
  /** How the image arrived. @default - unknown */
  readonly sourceKind?: ImageSourceKind;
  /** Pseudonymous series key (the first part of `imageRef`). @default - unknown */
  readonly seriesKey?: string;
  /** DICOM Body Part Examined (0018,0015), upper case. @default - unknown */
  readonly bodyPart?: string;
  /** DICOM SOP Class UID (0008,0016). @default - unknown */
  readonly sopClassUid?: string;
  /** DICOM Instance Number (0020,0013): the image's place in its series. @default - unknown */
  readonly instanceNumber?: number;
  /** Key of the de-identified DICOM (Part 10). @default - none (PNG/JPEG input) */
  readonly dicomKey?: string;
  /** UIDs of the de-identified DICOM, which reports reference. @default - none (PNG/JPEG input) */
  readonly dicomUids?: DeidentifiedUids;
}

/**
 * The study as every analyzer sees it: pseudonymous ids and counts, of bounded
 * size whatever the number of images; the images are listed in `manifest`.
 */
export interface StudyContext {
  readonly schemaVersion: string;
  readonly studyKey: string;
  readonly version: number;
  readonly imageCount: number;
  readonly seriesCount: number;
  /** Distinct modalities of the study's images. */
  readonly modalities: string[];
  /** Distinct body parts examined (DICOM), upper case. */
  readonly bodyParts: string[];
  /** Distinct source kinds (`ImageSourceKind`). */
  readonly sourceKinds: string[];
  /**
   * True when an image was accepted under the FLAG_FOR_REVIEW burned-in
   * annotation policy: a clinician reviews the findings whatever their confidence.
   */
  readonly requiresReview: boolean;
  /** JSON array of every `ImageReference` of the study version (de-identified). */
  readonly manifest: S3ObjectReference;
}

/** The images one invocation of an analyzer looks at. */
export interface ImageBatch {
  /** 0-based index of the batch within the analyzer's selection. */
  readonly index: number;
  /** Number of batches in the selection. */
  readonly count: number;
  readonly images: ImageReference[];
}

/** The event an analyzer (a Lambda function or any other task) receives. */
export interface AnalyzerInvocation {
  readonly schemaVersion: string;
  /** Name the analyzer was registered under. */
  readonly analyzerName: string;
  readonly study: StudyContext;
  readonly batch: ImageBatch;
}
