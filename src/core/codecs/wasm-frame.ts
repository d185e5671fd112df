/** The decode sequence every Emscripten/embind codec shares, with its checks. */
import { copyDecodedBytes, FrameGeometry, FrameSamples, interleave } from './frame';
import { CodecRejection, corruptFrame } from './rejection';
import { discardCodec, EmbindObject, embindClass } from './wasm';

export interface WasmFrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
}

/** The decoder surface the cornerstone codec builds share. */
export interface WasmFrameDecoder extends EmbindObject {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): WasmFrameInfo;
  /** JPEG-LS only: 0 = planes, 1 = line, 2 = sample interleaved. */
  getInterleaveMode?(): number;
}

export interface LoadedCodec {
  /** Resolved glue file name (the cache key). */
  readonly glue: string;
  readonly module: Record<string, unknown>;
}

export interface WasmDecodeRequest {
  readonly codecName: string;
  readonly load: () => LoadedCodec;
  readonly className: string;
}

function matches(info: WasmFrameInfo, geometry: FrameGeometry): boolean {
  return info.width === geometry.columns && info.height === geometry.rows && info.componentCount === geometry.samplesPerPixel;
}

/**
 * Decodes one frame and copies it out of WebAssembly memory. Any failure
 * inside the codec becomes CORRUPT_IMAGE and the module is discarded, since
 * an aborted Emscripten runtime cannot be used again.
 */
export function decodeWithWasm(request: WasmDecodeRequest, encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  let codec: LoadedCodec | undefined;
  let decoder: WasmFrameDecoder | undefined;
  try {
    codec = request.load();
    decoder = new (embindClass<WasmFrameDecoder>(codec.module, request.className))();
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    if (!matches(info, geometry)) corruptFrame(request.codecName);
    const samples = copyDecodedBytes(decoder.getDecodedBuffer(), geometry);
    if (!samples) return corruptFrame(request.codecName);
    const planar = geometry.samplesPerPixel === 3 && decoder.getInterleaveMode?.() === 0;
    return planar ? interleave(samples, geometry.rows * geometry.columns) : samples;
  } catch (e) {
    if (e instanceof CodecRejection) throw e;
    if (codec) discardCodec(codec.glue);
    decoder = undefined; // its runtime may be gone; do not touch it again
    return corruptFrame(request.codecName);
  } finally {
    try {
      decoder?.delete();
    } catch {
      // The instance is unusable either way; its module has been discarded.
    }
  }
}
