/** High-Throughput JPEG 2000 (1.2.840.10008.1.2.4.201/.202/.203) via OpenJPH. */
import { FrameGeometry, FrameSamples } from './frame';
import { checkedJ2kCodestream } from './j2k-header';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';

/**
 * HT code-blocks cost bytes even when flat: OpenJPH codes a flat 1024x1024 or
 * 2048x2048 frame in about 1,200 bytes per million samples, so no real frame
 * has a fifth of that (a 64x64 frame's SIZ patched to 10000x10000 leaves 45).
 */
const DATA_FLOOR = { bytesPerMegasample: 256, flatBytes: 0 };

const GLUE = '@cornerstonejs/codec-openjph/wasmjs';

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  // OpenJPH ships one build (encoder and decoder); there is no decode-only glue.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'openjphjs.wasm', require('@cornerstonejs/codec-openjph/wasmjs')) };
}

export function decodeHtj2k(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const codestream = checkedJ2kCodestream(encoded, geometry, 'HTJ2K', DATA_FLOOR);
  return decodeWithWasm({ codecName: 'HTJ2K', load, className: 'HTJ2KDecoder' }, codestream, geometry);
}
