/**
 * PNG decoding (pngjs) into a `RasterImage`, or into 16-bit gray samples for
 * 16-bit grayscale files so that the renderer can window them.
 */
// Types only: pngjs itself is required on the first PNG (see pngjs()).
import * as zlib from 'node:zlib';
import type * as PngJs from 'pngjs';
import { ImageRejection } from './errors';
import { assertWithinPixelLimit, DecodeLimits } from './limits';
import { GraySamples16, RasterChannels, RasterImage } from './raster';
import { RejectionReason } from '../../shared/events';

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  readonly colorType: number;
}

export interface PngLimits extends DecodeLimits {
  /**
   * Largest decoded image in bytes (pngjs decodes to RGBA, 8 or 16 bits a sample), checked from the header.
   * @default DEFAULT_MAX_PNG_DECODED_BYTES (1 GiB)
   */
  readonly maxDecodedBytes?: number;
}

export const DEFAULT_MAX_PNG_DECODED_BYTES = 2 ** 30;

/** Samples per pixel of each PNG colour type. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Inflated bytes past the image tolerated (libpng warns of extra data but reads the image). */
const EXTRA_DATA_SLACK = 2 ** 16;
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** A decoded PNG: 8-bit gray/RGB, or 16-bit gray samples still to be windowed. */
export type DecodedPng =
  | { readonly bitDepth: 8; readonly image: RasterImage }
  | { readonly bitDepth: 16; readonly image: GraySamples16 };

const IHDR_END = 8 + 8 + 13;

let pngModule: typeof PngJs | undefined;

/**
 * pngjs, required on first use: most objects are DICOM, so a cold Lambda should
 * not compile a decoder it may never run (the ingest asset ships it beside the
 * bundle, like the codecs).
 */
function pngjs(): typeof PngJs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a PNG arrives
  pngModule ??= require('pngjs') as typeof PngJs;
  return pngModule;
}

function corrupt(message: string): never {
  throw new ImageRejection(RejectionReason.CORRUPT_IMAGE, message);
}

function readUint32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] * 256 + bytes[offset + 1]) * 256 + bytes[offset + 2]) * 256 + bytes[offset + 3];
}

/** Reads the IHDR chunk without decompressing anything. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < IHDR_END) corrupt('PNG is shorter than its header');
  const chunkType = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (readUint32BE(bytes, 8) !== 13 || chunkType !== 'IHDR') corrupt('PNG does not start with an IHDR chunk');
  const width = readUint32BE(bytes, 16);
  const height = readUint32BE(bytes, 20);
  if (width === 0 || height === 0) corrupt('PNG has zero width or height');
  return { width, height, bitDepth: bytes[24], colorType: bytes[25] };
}

/** Bytes the image data inflates to: filter byte plus packed samples for every row (of every Adam7 pass). */
export function expectedInflatedBytes(header: PngHeader, interlaced: boolean): number {
  const bitsPerPixel = (CHANNELS[header.colorType] ?? 4) * header.bitDepth;
  const rowsOf = (width: number, height: number): number => (width === 0 || height === 0 ? 0 : height * (Math.ceil((width * bitsPerPixel) / 8) + 1));
  if (!interlaced) return rowsOf(header.width, header.height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) =>
    sum + rowsOf(Math.ceil(Math.max(0, header.width - x0) / dx), Math.ceil(Math.max(0, header.height - y0) / dy)), 0);
}

/** The IDAT chunks' data, joined (chunk lengths checked against the bytes). */
function imageData(bytes: Uint8Array): Buffer {
  const parts: Uint8Array[] = [];
  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = readUint32BE(bytes, offset);
    if (offset + 12 + length > bytes.length) break; // pngjs reports the cut
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return Buffer.concat(parts);
}

/**
 * pngjs inflates interlaced image data with no output limit (a 23 MB 1x1
 * interlaced PNG inflated to 4 GiB), so such data is inflated here first,
 * bounded by the size the header implies (and a little slack): more is not this image (CORRUPT_IMAGE).
 */
function assertInterlacedDataFits(bytes: Uint8Array, header: PngHeader): void {
  try {
    zlib.inflateSync(imageData(bytes), { maxOutputLength: expectedInflatedBytes(header, true) + EXTRA_DATA_SLACK });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') corrupt('PNG image data is larger than its header allows');
    // A broken stream is left to pngjs, which reports it as corrupt too.
  }
}

/**
 * Decodes a PNG. Dimensions and decoded size are checked from the header
 * before decoding, and inflation is bounded by what the header implies.
 * Alpha is dropped; palette images become RGB; text and EXIF chunks are not read.
 * Throws `ImageRejection` (CORRUPT_IMAGE or TOO_LARGE).
 */
export function decodePng(bytes: Uint8Array, limits: PngLimits = {}): DecodedPng {
  const header = readPngHeader(bytes);
  assertWithinPixelLimit(header.width, header.height, limits);
  const decodedBytes = header.width * header.height * 4 * (header.bitDepth === 16 ? 2 : 1);
  if (decodedBytes > (limits.maxDecodedBytes ?? DEFAULT_MAX_PNG_DECODED_BYTES)) {
    throw new ImageRejection(RejectionReason.TOO_LARGE, 'PNG exceeds the decoded size limit');
  }
  // IHDR's interlace method (the byte after filter method); readPngHeader has checked the chunk is there.
  if (bytes[28] === 1) assertInterlacedDataFits(bytes, header);
  const isGray = header.colorType === 0 || header.colorType === 4;
  const keep16 = isGray && header.bitDepth === 16;

  let decoded: { width: number; height: number; data: Uint8Array | Uint16Array };
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    decoded = pngjs().PNG.sync.read(buffer, { skipRescale: keep16 });
  } catch {
    // pngjs messages describe the damage, never content; still, keep ours fixed.
    return corrupt('PNG could not be decoded');
  }
  if (decoded.width !== header.width || decoded.height !== header.height) corrupt('PNG dimensions are inconsistent');

  const pixels = header.width * header.height;
  if (keep16) {
    return { bitDepth: 16, image: { width: header.width, height: header.height, data: pickChannels16(decoded.data, pixels) } };
  }
  const channels: RasterChannels = isGray ? 1 : 3;
  return {
    bitDepth: 8,
    image: { width: header.width, height: header.height, channels, data: pickChannels8(decoded.data, pixels, channels) },
  };
}

/** RGBA (pngjs's output layout) -> the first `channels` samples of each pixel. */
function pickChannels8(rgba: Uint8Array | Uint16Array, pixels: number, channels: RasterChannels): Uint8Array {
  const out = new Uint8Array(pixels * channels);
  if (channels === 1) {
    for (let i = 0, p = 0; i < pixels; i++, p += 4) out[i] = rgba[p];
  } else {
    for (let i = 0, p = 0, o = 0; i < pixels; i++, p += 4, o += 3) {
      out[o] = rgba[p];
      out[o + 1] = rgba[p + 1];
      out[o + 2] = rgba[p + 2];
    }
  }
  return out;
}

function pickChannels16(rgba: Uint8Array | Uint16Array, pixels: number): Uint16Array {
  const out = new Uint16Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 4) out[i] = rgba[p];
  return out;
}
