/** JPEG 2000 lossless and lossy (1.2.840.10008.1.2.4.90/.91) via OpenJPEG. */
import { FrameGeometry, FrameSamples } from './frame';
import { checkedJ2kCodestream } from './j2k-header';
import { instantiateCodec } from './wasm';
import { decodeWithWasm, LoadedCodec } from './wasm-frame';

/**
 * OpenJPEG codes a flat frame of any size in a few hundred bytes (153 for
 * 2048x2048), so only longer codestreams are held to a floor; real frames
 * with content carry more than 64 bytes per million samples (a 300x50
 * label on an otherwise black frame codes to 14.8 KB: 926 per million at
 * 4000x4000, about 150 at 10000x10000), while a 64x64 frame's SIZ patched to
 * 10000x10000 leaves about 36.
 */
const DATA_FLOOR = { bytesPerMegasample: 64, flatBytes: 1024 };

const GLUE = '@cornerstonejs/codec-openjpeg/decodewasmjs';

function load(): LoadedCodec {
  // Required here, not at the top: the codec loads only when a file needs it.
  const glue = require.resolve(GLUE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a frame needs it
  return { glue, module: instantiateCodec(glue, 'openjpegwasm_decode.wasm', require('@cornerstonejs/codec-openjpeg/decodewasmjs')) };
}

export function decodeJpeg2000(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const codestream = checkedJ2kCodestream(encoded, geometry, 'JPEG 2000', DATA_FLOOR);
  return decodeWithWasm({ codecName: 'JPEG 2000', load, className: 'J2KDecoder' }, codestream, geometry);
}
