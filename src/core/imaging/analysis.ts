/**
 * The analyzer-sized copy: gray, long side within a pixel bound, PNG within a
 * byte bound. When the PNG is over the byte bound (noisy images compress
 * badly) the image is downscaled further, by the square root of the ratio
 * with 10 % headroom, until it fits.
 */
import { DEFAULT_ANALYSIS_MAX_BYTES, DEFAULT_ANALYSIS_MAX_DIMENSION, downscaleToFit } from './downscale';
import { encodePng } from './png-encode';
import { RasterImage, toGray } from './raster';
import { ScratchBuffer } from './scratch';

export interface AnalysisBounds {
  /** Long side in pixels. @default DEFAULT_ANALYSIS_MAX_DIMENSION */
  readonly maxDimension?: number;
  /** PNG size in bytes. @default DEFAULT_ANALYSIS_MAX_BYTES */
  readonly maxBytes?: number;
}

export interface AnalysisImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Reusable buffers for the downscaled copy and its filtered scanlines (one set per analysis in flight). */
export interface AnalysisBuffers {
  readonly downscaled: ScratchBuffer;
  readonly filtered: ScratchBuffer;
}

/**
 * Gray PNG of `image` within both bounds. `encoded` is `image` being encoded
 * as PNG (the preview): when the analysis copy is that very image, it is reused
 * instead of encoded twice. Throws RangeError for bounds no image can meet.
 */
export async function analysisImage(image: RasterImage, bounds: AnalysisBounds = {}, encoded?: Promise<Buffer>,
  buffers?: AnalysisBuffers): Promise<AnalysisImage> {
  const maxBytes = bounds.maxBytes ?? DEFAULT_ANALYSIS_MAX_BYTES;
  if (!(maxBytes >= 1024)) throw new RangeError('analysisMaxBytes must be at least 1024');
  const gray = toGray(image);
  let dimension = bounds.maxDimension ?? DEFAULT_ANALYSIS_MAX_DIMENSION;
  for (;;) {
    const small = downscaleToFit(gray, dimension, buffers?.downscaled);
    const png = small === image && encoded !== undefined ? await encoded : await encodePng(small, { filterBuffer: buffers?.filtered });
    if (png.length <= maxBytes) return { png, width: small.width, height: small.height };
    const longSide = Math.max(small.width, small.height);
    if (longSide <= 1) throw new RangeError('analysisMaxBytes cannot be met');
    dimension = Math.max(1, Math.min(longSide - 1, Math.floor(longSide * Math.sqrt(maxBytes / png.length) * 0.9)));
  }
}
