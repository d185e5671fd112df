/**
 * How the workflow decides, per analyzer and study, whether the analyzer applies
 * and which images it sees. Plain data: the construct embeds it in the state
 * machine definition and the plan step applies it to the study manifest.
 */
import { ImageSourceKind } from './analyzer-result';

/** Which of a study's images an analyzer looks at. */
export enum ImageSelectionStrategy {
  /** Every image. */
  ALL = 'ALL',
  /** The middle image of each series (by Instance Number, else upload order). */
  REPRESENTATIVE = 'REPRESENTATIVE',
  /** Every n-th image of each series, starting with the first. */
  EVERY_NTH = 'EVERY_NTH',
  /** At most n images of each series, evenly spaced. */
  AT_MOST_PER_SERIES = 'AT_MOST_PER_SERIES',
  /** At most n images of the study, evenly spaced over its series in order. */
  AT_MOST_PER_STUDY = 'AT_MOST_PER_STUDY',
}

/**
 * When an analyzer applies to a study. Every criterion given must hold for an
 * image; the analyzer sees the images that pass (then its selection applies)
 * and records SKIPPED, with the reason, when none does.
 */
export interface AnalyzerApplicability {
  /** DICOM modalities, e.g. `['CR', 'DX']`; plain images are `OT`. @default - any */
  readonly modalities?: string[];
  /** Body Part Examined values, e.g. `['CHEST']` (case-insensitive). @default - any */
  readonly bodyParts?: string[];
  /** SOP Class UIDs, e.g. Digital X-Ray Image Storage `1.2.840.10008.5.1.4.1.1.1.1`. @default - any */
  readonly sopClassUids?: string[];
  /** How the image arrived. @default - any */
  readonly sourceKinds?: ImageSourceKind[];
  /** Smallest width of the original image, in pixels. @default - no minimum */
  readonly minImageWidth?: number;
  /** Smallest height of the original image, in pixels. @default - no minimum */
  readonly minImageHeight?: number;
}

/** Why an analyzer recorded SKIPPED: the first criterion no image of the study met. */
export const SkipReason = {
  MODALITY_NOT_APPLICABLE: 'MODALITY_NOT_APPLICABLE',
  BODY_PART_NOT_APPLICABLE: 'BODY_PART_NOT_APPLICABLE',
  SOP_CLASS_NOT_APPLICABLE: 'SOP_CLASS_NOT_APPLICABLE',
  SOURCE_KIND_NOT_APPLICABLE: 'SOURCE_KIND_NOT_APPLICABLE',
  IMAGE_TOO_SMALL: 'IMAGE_TOO_SMALL',
} as const;
export type SkipReasonValue = (typeof SkipReason)[keyof typeof SkipReason];

/** Largest batch an analyzer may ask for (keeps one invocation's input far below the state limit). */
export const MAX_BATCH_SIZE = 100;

/**
 * Selections of at most this many images run as an inline Map (their batches
 * travel in the state); larger ones as a Distributed Map reading the batches
 * from S3, so no state grows with the study.
 */
export const INLINE_MAP_MAX_IMAGES = 40;
