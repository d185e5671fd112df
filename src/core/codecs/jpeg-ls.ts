/** JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) via CharLS. */
import { FrameGeometry, FrameSamples } from './frame';
import { readJpegFrameHeader } from './jpeg-header';
import { corruptFrame } from './rejection';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';

const CODEC = 'JPEG-LS';
const GLUE = '@cornerstonejs/codec-charls/decodewasmjs';

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'charlswasm_decode.wasm', require('@cornerstonejs/codec-charls/decodewasmjs')) };
}

export function decodeJpegLs(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const header = readJpegFrameHeader(encoded);
  if (!header || header.marker !== 0xf7 || header.rows !== geometry.rows || header.columns !== geometry.columns
    || header.components !== geometry.samplesPerPixel || header.precision > geometry.bitsAllocated) {
    return corruptFrame(CODEC);
  }
  return decodeWithWasm({ codecName: CODEC, load, className: 'JpegLSDecoder' }, encoded, geometry);
}
