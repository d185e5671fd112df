import { RasterImage } from './raster';
import { ScratchBuffer } from './scratch';

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
 * With `scratch`, the result is written there and valid until its next use.
 */
export function downscaleToFit(image: RasterImage, maxDimension: number = DEFAULT_ANALYSIS_MAX_DIMENSION, scratch?: ScratchBuffer): RasterImage {
  if (!Number.isInteger(maxDimension) || maxDimension < 1) throw new RangeError('maxDimension must be a positive integer');
  const target = fitWithin(image.width, image.height, maxDimension);
  if (target.width === image.width && target.height === image.height) return image;

  const { width, height, channels, data } = image;
  const columnBin = binIndex(width, target.width);
  const rowCount = binCounts(binIndex(height, target.height), target.height);
  const columnCount = binCounts(columnBin, target.width);
  const binStart = firstIndexOfEachBin(columnBin, target.width);
  const rowWidth = target.width * channels;
  const out = scratch?.take(rowWidth * target.height) ?? new Uint8Array(rowWidth * target.height);
  if (channels === 1 && rowCount.every(atMostTwo) && columnCount.every(atMostTwo)) {
    downscaleGrayByPairs(data, width, rowCount, binStart, out);
    return { width: target.width, height: target.height, channels, data: out };
  }

  // Per output row: add up the bin's source rows sample by sample (a straight
  // pass), then sum each bin's few columns. One indexed fold per output row
  // rather than per source row, and the running sums stay in the CPU cache.
  // Doubles hold every integer sum exactly (bins up to 2^45 pixels).
  const sourceRow = width * channels;
  const columnSums = new Float64Array(sourceRow);
  for (let by = 0, y = 0; by < target.height; by++) {
    const rowEnd = y + rowCount[by];
    // The bin's first rows set the sums (two at once when it has two: the common
    // bin when shrinking by less than half), so they are neither zeroed nor re-read.
    if (rowEnd - y >= 2) {
      setTwoRows(columnSums, data, y * sourceRow, sourceRow);
      y += 2;
    } else {
      setRow(columnSums, data, y * sourceRow);
      y++;
    }
    for (; y < rowEnd; y++) addRow(columnSums, data, y * sourceRow);
    if (channels === 1) foldGrayRow(columnSums, binStart, columnCount, rowCount[by], out, by * rowWidth);
    else foldRow(columnSums, binStart, columnCount, rowCount[by], channels, out, by * rowWidth);
  }
  return { width: target.width, height: target.height, channels, data: out };
}

const atMostTwo = (count: number): boolean => count <= 2;

/* eslint-disable no-bitwise -- integer means */
/**
 * downscaleToFit for a gray image shrunk by at most half on each axis (bins of one or two rows and columns: a
 * 3000 px radiograph to 1568), without column sums or a division: each output pixel from its bin's first and last
 * row and column. A bin of one row or column reads it twice, which doubles its sum and its count alike, so every
 * mean is of four samples, rounded half up as (sum + 2) >> 2: the bytes of the general path.
 */
function downscaleGrayByPairs(data: Uint8Array, width: number, rowCount: Int32Array, binStart: Int32Array, out: Uint8Array): void {
  const columns = binStart.length - 1;
  const first = binStart.subarray(0, columns);
  const last = Int32Array.from({ length: columns }, (_, bx) => binStart[bx + 1] - 1);
  for (let by = 0, y = 0, o = 0; by < rowCount.length; by++, o += columns) {
    const top = y * width;
    y += rowCount[by];
    meanOfFourRow(data, top, (y - 1) * width, first, last, out, o);
  }
}

/** One output row of downscaleGrayByPairs (its own function: a small, stable hot loop for the JIT). */
function meanOfFourRow(data: Uint8Array, top: number, bottom: number, first: Int32Array, last: Int32Array, out: Uint8Array, offset: number): void {
  for (let bx = 0, o = offset; bx < first.length; bx++, o++) {
    const a = first[bx];
    const b = last[bx];
    out[o] = (data[top + a] + data[top + b] + data[bottom + a] + data[bottom + b] + 2) >> 2;
  }
}
/* eslint-enable no-bitwise */

/** Sets the column sums to one source row. */
function setRow(columnSums: Float64Array, data: Uint8Array, offset: number): void {
  for (let i = 0, s = offset; i < columnSums.length; i++, s++) columnSums[i] = data[s];
}

/** Sets the column sums to two consecutive source rows added. */
function setTwoRows(columnSums: Float64Array, data: Uint8Array, offset: number, rowLength: number): void {
  for (let i = 0, s = offset, t = offset + rowLength; i < columnSums.length; i++, s++, t++) columnSums[i] = data[s] + data[t];
}

/** Adds one source row to the column sums (its own function: a small, stable hot loop for the JIT). */
function addRow(columnSums: Float64Array, data: Uint8Array, offset: number): void {
  for (let i = 0, s = offset; i < columnSums.length; i++, s++) columnSums[i] += data[s];
}

/**
 * One output row of a gray image: the mean of each bin's column sums (kept apart from foldRow so it stays monomorphic and tight).
 * The mean is rounded half up as floor((2 sum + n) / 2n), which equals Math.round(sum / n) for every bin of fewer than
 * 2^40 pixels (a quotient of integers that is not a whole number stays at least 1/2n away from the next one, far more
 * than a double's rounding error), without Math.round's branch on the fraction, which real images make unpredictable.
 */
function foldGrayRow(columnSums: Float64Array, binStart: Int32Array, columnCount: Int32Array, rows: number, out: Uint8Array, offset: number): void {
  for (let bx = 0, o = offset; bx < columnCount.length; bx++, o++) {
    let sum = 0;
    for (let i = binStart[bx], end = binStart[bx + 1]; i < end; i++) sum += columnSums[i];
    const pixels = rows * columnCount[bx];
    out[o] = Math.floor((2 * sum + pixels) / (2 * pixels));
  }
}

/** One output row of a multi-channel image, channel by channel. */
function foldRow(columnSums: Float64Array, binStart: Int32Array, columnCount: Int32Array, rows: number, channels: number,
  out: Uint8Array, offset: number): void {
  for (let bx = 0, o = offset; bx < columnCount.length; bx++) {
    const count = rows * columnCount[bx];
    const from = binStart[bx] * channels;
    const to = binStart[bx + 1] * channels;
    for (let c = 0; c < channels; c++, o++) {
      let sum = 0;
      for (let i = from + c; i < to; i += channels) sum += columnSums[i];
      out[o] = Math.round(sum / count);
    }
  }
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
