/**
 * In-memory images shared by decoders, the renderer and the encoder.
 * Pixels are row-major, channels interleaved, 8 bits per sample.
 */

/** 1 = grayscale, 3 = RGB. Alpha is dropped on decode (medical images carry no meaningful transparency). */
export type RasterChannels = 1 | 3;

export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: RasterChannels;
  /** width * height * channels bytes. */
  readonly data: Uint8Array;
}

/** A single-channel image of more than 8 bits (e.g. a 16-bit grayscale PNG), to be windowed by the renderer. */
export interface GraySamples16 {
  readonly width: number;
  readonly height: number;
  readonly data: Uint16Array;
}

/** ITU-R BT.601 luma weights, scaled to 1000 so the sum stays integral until the final rounding. */
const LUMA_R = 299;
const LUMA_G = 587;
const LUMA_B = 114;

/** Converts RGB to 8-bit gray (BT.601 luma); a gray image is returned unchanged. */
export function toGray(image: RasterImage): RasterImage {
  if (image.channels === 1) return image;
  const pixels = image.width * image.height;
  const src = image.data;
  const out = new Uint8Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    out[i] = Math.round((LUMA_R * src[p] + LUMA_G * src[p + 1] + LUMA_B * src[p + 2]) / 1000);
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}
