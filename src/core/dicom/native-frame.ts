/**
 * One frame of native (uncompressed) Pixel Data, in the layout the codecs
 * return: samples interleaved, words in host order. Besides 8- and 16-bit
 * words: 32-bit integers (e.g. RT dose), Float and Double Float Pixel Data
 * (7FE0,0008 / 0009, e.g. parametric maps), and 1-bit samples (segmentations),
 * which are packed across frames: frame i starts at bit i x Rows x Columns.
 */
import { FrameSamples, interleave } from '../codecs/frame';

/** How the samples are coded: integer Pixel Data, Float Pixel Data (32-bit), Double Float Pixel Data (64-bit). */
export type SampleFormat = 'integer' | 'float' | 'double';

export interface NativeLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  /** 1, 8, 16 or 32 for integers; 32 for float, 64 for double. */
  readonly bitsAllocated: 1 | 8 | 16 | 32 | 64;
  /** @default 'integer' */
  readonly sampleFormat?: SampleFormat;
  readonly planarConfiguration: number;
  readonly bigEndian: boolean;
  /** YBR_FULL_422: two pixels share one Cb and Cr (Y1 Y2 Cb Cr). */
  readonly subsampled422: boolean;
}

/** Samples of a native frame: integer words (raw bit patterns), or IEEE floats. */
export type NativeSamples = FrameSamples | Float32Array | Float64Array;

function samplesPerFrame(layout: NativeLayout): number {
  const pixels = layout.rows * layout.columns;
  return layout.subsampled422 ? pixels * 2 : pixels * layout.samplesPerPixel;
}

/** Bytes one frame occupies in the file (for 1-bit samples, a fraction when the frame is not a whole number of bytes). */
export function nativeFrameBytes(layout: NativeLayout): number {
  return samplesPerFrame(layout) * (layout.bitsAllocated / 8);
}

/** Bytes `frames` frames occupy: 1-bit frames are packed with no padding between them. */
export function nativePixelDataBytes(layout: NativeLayout, frames: number): number {
  return Math.ceil(nativeFrameBytes(layout) * frames);
}

/** Frame `index`, starting at `dataOffset` in `bytes` (bounds already checked by the caller). */
export function nativeFrame(bytes: Uint8Array, dataOffset: number, index: number, layout: NativeLayout): NativeSamples {
  const pixels = layout.rows * layout.columns;
  if (layout.bitsAllocated === 1) return unpackBits(bytes, dataOffset, index * samplesPerFrame(layout), samplesPerFrame(layout), layout.bigEndian);
  const frameBytes = nativeFrameBytes(layout);
  const start = dataOffset + index * frameBytes;
  if (layout.subsampled422) return upsample422(bytes.subarray(start, start + frameBytes), pixels);
  const count = samplesPerFrame(layout);
  const format = layout.sampleFormat ?? 'integer';
  if (format === 'float') return readFloats(bytes, start, count, layout.bigEndian, 4);
  if (format === 'double') return readFloats(bytes, start, count, layout.bigEndian, 8);
  const samples = layout.bitsAllocated === 8
    ? bytes.subarray(start, start + frameBytes)
    : layout.bitsAllocated === 16 ? readWords(bytes, start, count, layout.bigEndian) : readWords32(bytes, start, count, layout.bigEndian);
  return layout.samplesPerPixel === 3 && layout.planarConfiguration === 1 ? interleave(samples, pixels) : samples;
}

/**
 * `count` 1-bit samples from bit `firstBit` of the pixel data, one byte (0 or 1)
 * each. Bits are taken least significant first within each byte (PS3.5 8.1.1);
 * in big endian OW the bytes of each 16-bit word are swapped first.
 */
function unpackBits(bytes: Uint8Array, dataOffset: number, firstBit: number, count: number, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(count);
  const swap = bigEndian ? 1 : 0;
  for (let i = 0, bit = firstBit; i < count; i++, bit++) {
    const byte = bytes[dataOffset + (Math.floor(bit / 8) ^ swap)]; // eslint-disable-line no-bitwise -- byte swap within a word
    out[i] = Math.floor(byte / 2 ** (bit % 8)) % 2;
  }
  return out;
}

/** Y1 Y2 Cb Cr -> Y1 Cb Cr Y2 Cb Cr (YBR_FULL, interleaved); an odd last pixel keeps its pair's chroma. */
function upsample422(packed: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0; p < pixels; p += 2, i += 4) {
    const cb = packed[i + 2];
    const cr = packed[i + 3];
    const o = p * 3;
    out[o] = packed[i];
    out[o + 1] = cb;
    out[o + 2] = cr;
    if (p + 1 < pixels) {
      out[o + 3] = packed[i + 1];
      out[o + 4] = cb;
      out[o + 5] = cr;
    }
  }
  return out;
}

/**
 * 16-bit words starting at `offset`. A zero-copy view when the data is little
 * endian and 2-byte aligned (Lambda hosts are little endian), else a copy.
 */
export function readWords(bytes: Uint8Array, offset: number, count: number, bigEndian: boolean): Uint16Array {
  const start = bytes.byteOffset + offset;
  if (!bigEndian && start % 2 === 0) return new Uint16Array(bytes.buffer, start, count);
  const words = new Uint16Array(count);
  const hi = bigEndian ? 0 : 1;
  const lo = 1 - hi;
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    words[i] = bytes[p + hi] * 256 + bytes[p + lo];
  }
  return words;
}

/**
 * 32-bit words (raw bit patterns); zero-copy when little endian and 4-byte
 * aligned. Big endian Pixel Data is OW: 16-bit words, each byte swapped, low
 * word first (PS3.5 8.1.1, as dcmtk reads it), not whole 32-bit words swapped.
 */
function readWords32(bytes: Uint8Array, offset: number, count: number, bigEndian: boolean): Uint32Array {
  const start = bytes.byteOffset + offset;
  if (!bigEndian && start % 4 === 0) return new Uint32Array(bytes.buffer, start, count);
  const view = new DataView(bytes.buffer, start, count * 4);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = view.getUint16(i * 4, !bigEndian) + view.getUint16(i * 4 + 2, !bigEndian) * 0x10000;
  return words;
}

/** IEEE 754 samples of `size` bytes; zero-copy when little endian and aligned. */
function readFloats(bytes: Uint8Array, offset: number, count: number, bigEndian: boolean, size: 4 | 8): Float32Array | Float64Array {
  const start = bytes.byteOffset + offset;
  if (!bigEndian && start % size === 0) {
    return size === 4 ? new Float32Array(bytes.buffer, start, count) : new Float64Array(bytes.buffer, start, count);
  }
  const view = new DataView(bytes.buffer, start, count * size);
  const out = size === 4 ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = size === 4 ? view.getFloat32(i * 4, !bigEndian) : view.getFloat64(i * 8, !bigEndian);
  return out;
}
