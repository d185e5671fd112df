/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
/**
 * DICOM RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G. A frame is a
 * 64-byte header (segment count, then up to 15 segment offsets) followed by
 * PackBits-coded segments, one per byte plane: for each sample in turn, its
 * most significant byte first.
 */
import { FrameGeometry, frameSampleCount, FrameSamples } from './frame';
import { corruptFrame } from './rejection';

const CODEC = 'RLE';
const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16)) + bytes[offset + 3] * 0x1000000;
}

/**
 * Unpacks bytes [start, end) into `plane` (exactly plane.length bytes).
 * Returns false when the segment ends early or a run overflows the plane.
 */
function unpackSegment(bytes: Uint8Array, start: number, end: number, plane: Uint8Array): boolean {
  const length = plane.length;
  let i = start;
  let o = 0;
  while (o < length) {
    if (i >= end) return false;
    const n = bytes[i++];
    if (n < 128) {
      const count = n + 1; // literal run
      if (i + count > end || o + count > length) return false;
      plane.set(bytes.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (n > 128) {
      const count = 257 - n; // replicate run
      if (i >= end || o + count > length) return false;
      plane.fill(bytes[i++], o, o + count);
      o += count;
    }
    // n === 128 (-128): no operation.
  }
  return true;
}

export function decodeRle(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const bytesPerSample = geometry.bitsAllocated / 8;
  const samplesPerPixel = geometry.samplesPerPixel;
  const segments = samplesPerPixel * bytesPerSample;
  if (encoded.length < HEADER_BYTES || segments > MAX_SEGMENTS) return corruptFrame(CODEC);
  if (readUint32LE(encoded, 0) !== segments) return corruptFrame(CODEC);

  const pixels = geometry.rows * geometry.columns;
  const plane = new Uint8Array(pixels);
  const count = frameSampleCount(geometry);
  const out = bytesPerSample === 1 ? new Uint8Array(count) : bytesPerSample === 2 ? new Uint16Array(count) : new Uint32Array(count);
  for (let s = 0; s < segments; s++) {
    const start = readUint32LE(encoded, 4 + 4 * s);
    const end = s + 1 < segments ? readUint32LE(encoded, 8 + 4 * s) : encoded.length;
    if (start < HEADER_BYTES || end > encoded.length || start >= end) return corruptFrame(CODEC);
    if (!unpackSegment(encoded, start, end, plane)) return corruptFrame(CODEC);

    const sample = Math.floor(s / bytesPerSample);
    // Byte planes come most significant first.
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    if (samplesPerPixel === 1 && shift === 0 && bytesPerSample === 1) {
      out.set(plane);
    } else {
      // Multiplied, not shifted: a top byte shifted by 24 would turn negative before the Uint32Array store.
      const scale = 2 ** shift;
      for (let i = 0, o = sample; i < pixels; i++, o += samplesPerPixel) out[o] += plane[i] * scale;
    }
  }
  return out;
}
