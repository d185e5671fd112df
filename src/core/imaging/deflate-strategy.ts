/**
 * Which zlib strategy compresses a Sub-filtered image best for its time.
 * Z_RLE finds runs of equal bytes (flat regions: a CT's black surround, a
 * radiograph's collimation border) and beats Huffman-only by 10-50% there.
 * On noise-dominated pixels runs are rare: RLE then emits mostly literals, as
 * Huffman-only does, but spends a fifth more time looking for matches (a
 * 3000x3000 radiograph: 4.09 MB either way, 61 against 49 ms).
 */
import * as zlib from 'node:zlib';

/**
 * Huffman-only below this share of sampled bytes that continue a run of three
 * equal bytes (RLE's shortest match). Measured on radiographs with a flat
 * border of growing width: at 7% Huffman-only was 1-2% larger, at 14% 6%;
 * noise-only radiographs sit at 1.5-3.5%, CT slices near 75%.
 */
export const HUFFMAN_ONLY_MAX_RUN_SHARE = 0.05;
/** Every this many rows is sampled: runs are a property of regions, not of single rows. */
export const RUN_SAMPLE_ROW_STEP = 16;

/**
 * Z_RLE or Z_HUFFMAN_ONLY for `height` filtered rows of `stride` bytes (the
 * filter-type byte first), from the share of bytes, in every
 * RUN_SAMPLE_ROW_STEP-th row, equal to the two before them. A function of the
 * bytes alone, so the output stays deterministic.
 */
export function deflateStrategyFor(filtered: Uint8Array, stride: number, height: number): number {
  let sampled = 0;
  let runs = 0;
  for (let y = 0; y < height; y += RUN_SAMPLE_ROW_STEP) {
    const rowEnd = y * stride + stride;
    let before = -1;
    let last = -2;
    for (let i = y * stride + 1; i < rowEnd; i++) {
      const value = filtered[i];
      // One test, no branch on the (unpredictable) outcome: a third faster than `value === last && value === before`.
      // eslint-disable-next-line no-bitwise
      runs += ((value ^ last) | (value ^ before)) === 0 ? 1 : 0;
      before = last;
      last = value;
    }
    sampled += stride - 1;
  }
  return runs < HUFFMAN_ONLY_MAX_RUN_SHARE * sampled ? zlib.constants.Z_HUFFMAN_ONLY : zlib.constants.Z_RLE;
}
