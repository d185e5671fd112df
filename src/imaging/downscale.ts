import { RasterImage } from './raster';

/**
 * Default bound on the long side of the analyzer-sized copy: 1568 px is the
 * long side Bedrock's Claude models use without resizing (they accept up to
 * 8000), and well inside Rekognition's useful range (4096).
 */
export const DEFAULT_ANALYSIS_MAX_DIMENSION = 1568;
/**
 * Default bound on the analyzer-sized PNG's bytes: under Bedrock's 3.75 MB
 * per image and Rekognition's 5 MB image-bytes limit, with headroom.
 */
export const DEFAULT_ANALYSIS_MAX_BYTES = 3_500_000;

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
  const rowCount = binCounts(binIndex(height, target.height), target.height);
  const columnCount = binCounts(columnBin, target.width);
  const binStart = firstIndexOfEachBin(columnBin, target.width);

  // Per output row: add up the bin's source rows sample by sample (a straight
  // pass), then sum each bin's few columns. One indexed fold per output row
  // rather than per source row, and the running sums stay in the CPU cache.
  // Doubles hold every integer sum exactly (bins up to 2^45 pixels).
  const sourceRow = width * channels;
  const rowWidth = target.width * channels;
  const columnSums = new Float64Array(sourceRow);
  const out = new Uint8Array(rowWidth * target.height);
  for (let by = 0, y = 0; by < target.height; by++) {
    columnSums.fill(0);
    for (let rowEnd = y + rowCount[by]; y < rowEnd; y++) {
      for (let i = 0, s = y * sourceRow; i < sourceRow; i++, s++) columnSums[i] += data[s];
    }
    for (let bx = 0, o = by * rowWidth; bx < target.width; bx++) {
      const count = rowCount[by] * columnCount[bx];
      const from = binStart[bx] * channels;
      const to = binStart[bx + 1] * channels;
      for (let c = 0; c < channels; c++, o++) {
        let sum = 0;
        for (let i = from + c; i < to; i += channels) sum += columnSums[i];
        out[o] = Math.round(sum / count);
      }
    }
  }
  return { width: target.width, height: target.height, channels, data: out };
}

/** Start of each bin in the (non-decreasing) bin index, plus the end of the last. */
function firstIndexOfEachBin(bins: Int32Array, targetLength: number): Int32Array {
  const start = new Int32Array(targetLength + 1);
  start[targetLength] = bins.length;
  for (let i = bins.length - 1; i >= 0; i--) start[bins[i]] = i;
  return start;
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
