/**
 * The image limits of each AI service, checked before a call: an image outside
 * them would only come back as an error after a billed round trip.
 */

export interface ServiceImageLimits {
  /** Largest encoded image, in bytes. */
  readonly maxBytes: number;
  /** Largest width or height, in pixels. */
  readonly maxDimension: number;
  /** Smallest width or height, in pixels. */
  readonly minDimension: number;
}

const MIB = 1024 * 1024;

/** Rekognition DetectLabels with image bytes: 5 MB, 80 to 10,000 pixels a side. */
export const DETECT_LABELS_IMAGE_LIMITS: ServiceImageLimits = { maxBytes: 5 * MIB, maxDimension: 10_000, minDimension: 80 };

/** Rekognition Custom Labels (DetectCustomLabels) with image bytes: 4 MB, 64 to 4,096 pixels a side. */
export const CUSTOM_LABELS_IMAGE_LIMITS: ServiceImageLimits = { maxBytes: 4 * MIB, maxDimension: 4096, minDimension: 64 };

/** Bedrock Converse image blocks: 3.75 MB, at most 8,000 pixels a side. */
export const CONVERSE_IMAGE_LIMITS: ServiceImageLimits = { maxBytes: 3.75 * MIB, maxDimension: 8000, minDimension: 1 };

export enum ImageLimitVerdict {
  WITHIN_LIMITS = 'WITHIN_LIMITS',
  TOO_LARGE = 'TOO_LARGE',
  TOO_SMALL = 'TOO_SMALL',
}

export interface EncodedImageSize {
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
}

/** Whether the service accepts an image of this size. */
export function checkImageLimits(size: EncodedImageSize, limits: ServiceImageLimits): ImageLimitVerdict {
  if (size.bytes > limits.maxBytes || Math.max(size.width, size.height) > limits.maxDimension) {
    return ImageLimitVerdict.TOO_LARGE;
  }
  if (Math.min(size.width, size.height) < limits.minDimension) {
    return ImageLimitVerdict.TOO_SMALL;
  }
  return ImageLimitVerdict.WITHIN_LIMITS;
}
