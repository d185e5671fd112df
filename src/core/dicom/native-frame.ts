/**
 * One frame of native (uncompressed) Pixel Data, in the layout the codecs
 * return: samples interleaved, 16-bit words in host order.
 */
import { FrameSamples, interleave } from '../codecs/frame';

export interface NativeLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: 8 | 16;
  readonly planarConfiguration: number;
  readonly bigEndian: boolean;
  /** YBR_FULL_422: two pixels share one Cb and Cr (Y1 Y2 Cb Cr). */
  readonly subsampled422: boolean;
}

/** Bytes one frame occupies in the file. */
export function nativeFrameBytes(layout: NativeLayout): number {
  const pixels = layout.rows * layout.columns;
  const samples = layout.subsampled422 ? pixels * 2 : pixels * layout.samplesPerPixel;
  return samples * (layout.bitsAllocated / 8);
}

/** Frame `index`, starting at `dataOffset` in `bytes` (bounds already checked by the caller). */
export function nativeFrame(bytes: Uint8Array, dataOffset: number, index: number, layout: NativeLayout): FrameSamples {
  const frameBytes = nativeFrameBytes(layout);
  const start = dataOffset + index * frameBytes;
  const pixels = layout.rows * layout.columns;
  if (layout.subsampled422) return upsample422(bytes.subarray(start, start + frameBytes), pixels);
  const samples = layout.bitsAllocated === 8
    ? bytes.subarray(start, start + frameBytes)
    : readWords(bytes, start, frameBytes / 2, layout.bigEndian);
  return layout.samplesPerPixel === 3 && layout.planarConfiguration === 1 ? interleave(samples, pixels) : samples;
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
