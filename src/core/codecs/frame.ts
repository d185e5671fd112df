/**
 * What a codec is asked to produce and what it returns. The DICOM image pixel
 * module says what a frame must be; a codec's output that disagrees is corrupt.
 */
export interface FrameGeometry {
  readonly rows: number;
  readonly columns: number;
  /** 1 or 3. */
  readonly samplesPerPixel: number;
  /** 8, 16 or 32 (32 only for RLE). */
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  /** PixelRepresentation 1. */
  readonly signed: boolean;
  /** The file's Photometric Interpretation (JPEG uses it to decide the colour transform). @default unknown */
  readonly photometric?: string;
}

/**
 * Decoded samples, colour interleaved (RGBRGB...). 16- and 32-bit frames hold
 * the words' bit patterns (signed values in two's complement).
 */
export type FrameSamples = Uint8Array | Uint16Array | Uint32Array;

/** Decodes one compressed frame; throws `CodecRejection` for bad input. */
export type FrameDecoder = (encoded: Uint8Array, geometry: FrameGeometry) => FrameSamples;

/** Samples a frame of this geometry holds. */
export function frameSampleCount(geometry: FrameGeometry): number {
  return geometry.rows * geometry.columns * geometry.samplesPerPixel;
}

/**
 * Copies decoder output (bytes, little endian for 16-bit) into a fresh array
 * of the frame's word size, so nothing keeps a view into codec memory.
 */
export function copyDecodedBytes(bytes: Uint8Array, geometry: FrameGeometry): FrameSamples | undefined {
  const count = frameSampleCount(geometry);
  if (geometry.bitsAllocated === 8) {
    if (bytes.length !== count) return undefined;
    return new Uint8Array(bytes);
  }
  const words = new Uint16Array(count);
  if (bytes.length === count * 2) {
    new Uint8Array(words.buffer).set(bytes);
    return words;
  }
  // An 8-bit codestream in a 16-bit allocation (BitsStored <= 8).
  if (bytes.length !== count) return undefined;
  words.set(bytes);
  return words;
}

/** Planar (RR..GG..BB..) to interleaved, for codecs that return colour planes. */
export function interleave(planar: FrameSamples, pixels: number): FrameSamples {
  const out = planar instanceof Uint8Array ? new Uint8Array(pixels * 3)
    : planar instanceof Uint16Array ? new Uint16Array(pixels * 3) : new Uint32Array(pixels * 3);
  for (let i = 0, o = 0; i < pixels; i++, o += 3) {
    out[o] = planar[i];
    out[o + 1] = planar[pixels + i];
    out[o + 2] = planar[2 * pixels + i];
  }
  return out;
}
