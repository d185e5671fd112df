/** High-Throughput JPEG 2000 (1.2.840.10008.1.2.4.201/.202/.203) via OpenJPH. */
import { FrameGeometry, FrameSamples } from './frame';
import { assertJ2kMatches } from './j2k-header';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';

const GLUE = '@cornerstonejs/codec-openjph/wasmjs';

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  // OpenJPH ships one build (encoder and decoder); there is no decode-only glue.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'openjphjs.wasm', require('@cornerstonejs/codec-openjph/wasmjs')) };
}

export function decodeHtj2k(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  assertJ2kMatches(encoded, geometry, 'HTJ2K');
  return decodeWithWasm({ codecName: 'HTJ2K', load, className: 'HTJ2KDecoder' }, encoded, geometry);
}
