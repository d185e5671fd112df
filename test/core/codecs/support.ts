/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
import { MakeDicomOptions } from '../../fixtures/images';

/** Stored values of raw words: low bitsStored bits, sign-extended when signed (what the renderer sees). */
export function storedValues(words: ArrayLike<number>, bitsStored: number, signed: boolean): Int32Array {
  const modulus = 2 ** bitsStored;
  const out = new Int32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const stored = words[i] % modulus;
    out[i] = signed && stored >= modulus / 2 ? stored - modulus : stored;
  }
  return out;
}

/** Largest absolute difference between two equally long arrays. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Small images with odd sizes and content in every bit that matters. */
export const IMAGE_KINDS: Readonly<Record<string, MakeDicomOptions>> = {
  'gray 8-bit': { rows: 33, columns: 47, bitsAllocated: 8, pixelFn: (x, y) => (x * 5 + y * 3 + ((x * y) % 7)) % 256 },
  'gray 12-bit': { rows: 40, columns: 37, bitsAllocated: 16, bitsStored: 12, pixelFn: (x, y) => (x * 97 + y * 61 + ((x ^ y) % 13)) % 4096 },
  'gray 16-bit signed': {
    rows: 36,
    columns: 41,
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    pixelFn: (x, y) => ((x * 811 + y * 353) % 6000) - 3000,
  },
  'RGB 8-bit': {
    rows: 30,
    columns: 34,
    bitsAllocated: 8,
    photometric: 'RGB',
    pixelFn: (x, y, s) => (s === 0 ? x * 7 : s === 1 ? y * 8 : (x + y) * 3) % 256,
  },
};
