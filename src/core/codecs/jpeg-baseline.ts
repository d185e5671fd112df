/**
 * JPEG baseline and extended (1.2.840.10008.1.2.4.50/.51) via libjpeg-turbo.
 * Only 8-bit precision here: 12-bit extended frames (.51) are routed to
 * jpeg-extended12.ts by the registry; other precisions are refused as
 * UNSUPPORTED_TRANSFER_SYNTAX.
 */
import { FrameGeometry, FrameSamples } from './frame';
import { withColourTransformFor } from './jpeg-colour';
import { hasTooManyJpegScans, readJpegFrameHeader } from './jpeg-header';
import { CodecRejection, corruptFrame } from './rejection';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';
import { RejectionReason } from '../../shared/events';

const CODEC = 'JPEG';
const GLUE = '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
/** Huffman-coded DCT frames: baseline, extended, progressive. */
const DCT_FRAMES = new Set([0xc0, 0xc1, 0xc2]);

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'libjpegturbowasm_decode.wasm', require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')) };
}

/**
 * Three-component output is RGB: libjpeg converts YCbCr as it decodes, and
 * the codestream is first made to say whether it holds YCbCr (see jpeg-colour.ts).
 */
export function decodeJpegBaseline(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const header = readJpegFrameHeader(encoded);
  if (!header || header.rows !== geometry.rows || header.columns !== geometry.columns
    || header.components !== geometry.samplesPerPixel) {
    return corruptFrame(CODEC);
  }
  if (header.precision !== 8) {
    throw new CodecRejection(RejectionReason.UNSUPPORTED_TRANSFER_SYNTAX, 'JPEG with more than 8-bit precision is not supported');
  }
  if (!DCT_FRAMES.has(header.marker)) return corruptFrame(CODEC);
  if (hasTooManyJpegScans(encoded)) throw new CodecRejection(RejectionReason.TOO_LARGE, 'JPEG frame has more scans than allowed');
  const codestream = header.components === 3 ? withColourTransformFor(encoded, geometry.photometric) : encoded;
  return decodeWithWasm({ codecName: CODEC, load, className: 'JPEGDecoder' }, codestream, geometry);
}
