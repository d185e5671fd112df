/** JPEG 2000 lossless and lossy (1.2.840.10008.1.2.4.90/.91) via OpenJPEG. */
import { FrameGeometry, FrameSamples } from './frame';
import { assertDecodedMatchesData, checkedJ2kCodestream } from './j2k-header';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';

const GLUE = '@cornerstonejs/codec-openjpeg/decodewasmjs';

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'openjpegwasm_decode.wasm', require('@cornerstonejs/codec-openjpeg/decodewasmjs')) };
}

export function decodeJpeg2000(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const codestream = checkedJ2kCodestream(encoded, geometry, 'JPEG 2000');
  const samples = decodeWithWasm({ codecName: 'JPEG 2000', load, className: 'J2KDecoder' }, codestream, geometry);
  assertDecodedMatchesData(samples, codestream, 'JPEG 2000');
  return samples;
}
