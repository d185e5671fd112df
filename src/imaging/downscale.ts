import { RasterImage } from './raster';

/** Default bound on the long side of the analyzer-sized copy. */
export const DEFAULT_ANALYSIS_MAX_DIMENSION = 1024;

/** Size that fits within `maxDimension` on the long side, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxDimension: number): { width: number; height: number } {
  const longSide = Math.max(width, height);
  if (longSide <= maxDimension) return { width, height };
  const scale = maxDimension / longSide;
  return {
    width: Math.max(1, Math.min(maxDimension, Math.round(width * scale))),
    height: Math.max(1, Math.min(maxDimension, Math.round(height * scale))),
  };
}

/**
 * Area (box-filter) downscale: each output pixel is the mean of the source
 * pixels that fall into it, so no source pixel is skipped and noise is
 * averaged rather than aliased. An image already within bounds is returned as is.
 */
export function downscaleToFit(image: RasterImage, maxDimension: number = DEFAULT_ANALYSIS_MAX_DIMENSION): RasterImage {
  if (!Number.isInteger(maxDimension) || maxDimension < 1) throw new RangeError('maxDimension must be a positive integer');
  const target = fitWithin(image.width, image.height, maxDimension);
  if (target.width === image.width && target.height === image.height) return image;

  const { width, height, channels, data } = image;
  const columnBin = binIndex(width, target.width);
  const rowBin = binIndex(height, target.height);
  const columnCount = binCounts(columnBin, target.width);
  const rowCount = binCounts(rowBin, target.height);

  const sums = new Float64Array(target.width * target.height * channels);
  if (channels === 1) {
    // The common case (gray radiographs) without the per-channel inner loop.
    for (let y = 0, i = 0; y < height; y++) {
      const rowBase = rowBin[y] * target.width;
      for (let x = 0; x < width; x++, i++) sums[rowBase + columnBin[x]] += data[i];
    }
  } else {
    for (let y = 0, i = 0; y < height; y++) {
      const rowBase = rowBin[y] * target.width;
      for (let x = 0; x < width; x++) {
        const o = (rowBase + columnBin[x]) * channels;
        for (let c = 0; c < channels; c++, i++) sums[o + c] += data[i];
      }
    }
  }

  const out = new Uint8Array(sums.length);
  for (let by = 0, o = 0; by < target.height; by++) {
    for (let bx = 0; bx < target.width; bx++) {
      const count = rowCount[by] * columnCount[bx];
      for (let c = 0; c < channels; c++, o++) out[o] = Math.round(sums[o] / count);
    }
  }
  return { width: target.width, height: target.height, channels, data: out };
}

function binIndex(sourceLength: number, targetLength: number): Int32Array {
  const bins = new Int32Array(sourceLength);
  for (let i = 0; i < sourceLength; i++) bins[i] = Math.floor((i * targetLength) / sourceLength);
  return bins;
}

function binCounts(bins: Int32Array, targetLength: number): Int32Array {
  const counts = new Int32Array(targetLength);
  for (let i = 0; i < bins.length; i++) counts[bins[i]]++;
  return counts;
}
