/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
/**
 * Colour models of DICOM pixel data to 8-bit RGB (PS3.3 C.7.6.3.1.2):
 * YBR_FULL by the full-range BT.601 equations, PALETTE COLOR through its
 * lookup tables, RGB with more than 8 bits by dropping the low bits.
 */
import { RasterImage } from './raster';

/** Lookup tables in 1/65536 units, so the per-pixel loop is integer adds. */
const FIXED = 65536;
const crToR = new Int32Array(256);
const cbToB = new Int32Array(256);
const cbToG = new Int32Array(256);
const crToG = new Int32Array(256);
for (let v = 0; v < 256; v++) {
  const d = v - 128;
  crToR[v] = Math.round(1.402 * d * FIXED);
  cbToB[v] = Math.round(1.772 * d * FIXED);
  cbToG[v] = Math.round(-0.344136 * d * FIXED);
  crToG[v] = Math.round(-0.714136 * d * FIXED);
}
const HALF = FIXED / 2;

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Interleaved 8-bit Y Cb Cr -> RGB. */
export function ybrFullToRgb(ybr: Uint8Array, width: number, height: number): RasterImage {
  const pixels = width * height;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const y = ybr[p] * FIXED + HALF;
    const cb = ybr[p + 1];
    const cr = ybr[p + 2];
    out[p] = clamp((y + crToR[cr]) >> 16);
    out[p + 1] = clamp((y + cbToG[cb] + crToG[cr]) >> 16);
    out[p + 2] = clamp((y + cbToB[cb]) >> 16);
  }
  return { width, height, channels: 3, data: out };
}

/** Interleaved RGB words of `bitsStored` significant bits -> 8-bit RGB. */
export function rgbTo8Bit(samples: Uint8Array | Uint16Array | Uint32Array, width: number, height: number, bitsStored: number): RasterImage {
  const count = width * height * 3;
  if (samples instanceof Uint8Array && bitsStored === 8) return { width, height, channels: 3, data: samples.subarray(0, count) };
  const shift = Math.max(0, bitsStored - 8);
  const out = new Uint8Array(count);
  if (bitsStored > 16) {
    // 32-bit words: arithmetic, since bitwise operators would read the top bit as a sign.
    const modulus = 2 ** bitsStored;
    const divisor = 2 ** shift;
    for (let i = 0; i < count; i++) out[i] = Math.floor((samples[i] % modulus) / divisor);
    return { width, height, channels: 3, data: out };
  }
  const mask = 2 ** bitsStored - 1;
  for (let i = 0; i < count; i++) out[i] = (samples[i] & mask) >> shift;
  return { width, height, channels: 3, data: out };
}

export interface PaletteTables {
  readonly firstMapped: number;
  readonly red: Uint8Array;
  readonly green: Uint8Array;
  readonly blue: Uint8Array;
}

function entry(table: Uint8Array, index: number): number {
  return table[index < 0 ? 0 : index >= table.length ? table.length - 1 : index];
}

/**
 * Palette indices -> RGB. Indices below the first mapped value take the first
 * entry, those past the end the last (PS3.3 C.7.6.3.1.5). One table per raw
 * word value is built first, so the pixel loop is three lookups.
 */
export function applyPalette(indices: Uint8Array | Uint16Array, width: number, height: number, bitsStored: number,
  signed: boolean, palette: PaletteTables): RasterImage {
  const words = 2 ** (indices.BYTES_PER_ELEMENT * 8);
  const modulus = 2 ** bitsStored;
  const rgbOf = new Uint32Array(words);
  for (let raw = 0; raw < words; raw++) {
    let stored = raw % modulus;
    if (signed && stored >= modulus / 2) stored -= modulus;
    const index = stored - palette.firstMapped;
    rgbOf[raw] = (entry(palette.red, index) << 16) | (entry(palette.green, index) << 8) | entry(palette.blue, index);
  }
  const pixels = width * height;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const rgb = rgbOf[indices[i]];
    out[p] = rgb >> 16;
    out[p + 1] = (rgb >> 8) & 0xff;
    out[p + 2] = rgb & 0xff;
  }
  return { width, height, channels: 3, data: out };
}
