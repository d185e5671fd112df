/** JPEG lossless, process 14 (1.2.840.10008.1.2.4.57 and SV1 .70) via jpeg-lossless-decoder-js. */
import { FrameGeometry, frameSampleCount, FrameSamples } from './frame';
import { readJpegFrameHeader } from './jpeg-header';
import { corruptFrame } from './rejection';

const CODEC = 'JPEG lossless';
/** SOF3: lossless, Huffman coded (the only lossless process DICOM uses). */
const LOSSLESS_FRAME = 0xc3;

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
}
interface LosslessModule {
  readonly Decoder: new () => LosslessDecoder;
}

let lossless: LosslessModule | undefined;

function load(): LosslessModule {
  // Required here, not at the top: the decoder loads only when a file needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  lossless ??= require('jpeg-lossless-decoder-js') as LosslessModule;
  return lossless;
}

export function decodeJpegLossless(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const header = readJpegFrameHeader(encoded);
  if (!header || header.marker !== LOSSLESS_FRAME || header.rows !== geometry.rows || header.columns !== geometry.columns
    || header.components !== geometry.samplesPerPixel || header.precision > geometry.bitsAllocated || header.precision < 2) {
    return corruptFrame(CODEC);
  }
  const count = frameSampleCount(geometry);
  let decoded: Uint8Array | Uint16Array;
  try {
    const { Decoder } = load();
    decoded = new Decoder().decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.length, geometry.bitsAllocated / 8);
  } catch {
    return corruptFrame(CODEC);
  }
  // The decoder sizes 16-bit output in bytes, so the array has twice the samples needed.
  if (decoded.length < count) return corruptFrame(CODEC);
  return geometry.bitsAllocated === 8
    ? Uint8Array.from(decoded.subarray(0, count))
    : Uint16Array.from(decoded.subarray(0, count));
}
