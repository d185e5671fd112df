import { ImageRejection } from './errors';
import { RejectionReason } from '../../shared/events';

/** Default decompression-bomb guard: largest width x height decoded (100 megapixels). */
export const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;

export interface DecodeLimits {
  /** Largest width x height decoded; checked from the header before any decoding. @default DEFAULT_MAX_IMAGE_PIXELS */
  readonly maxPixels?: number;
}

/** Throws TOO_LARGE when width x height is over the limit. */
export function assertWithinPixelLimit(width: number, height: number, limits: DecodeLimits): void {
  if (width * height > (limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS)) {
    throw new ImageRejection(RejectionReason.TOO_LARGE, 'Image exceeds the pixel limit');
  }
}
