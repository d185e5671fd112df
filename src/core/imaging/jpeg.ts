/** JPEG decoding (jpeg-js) into a `RasterImage`; EXIF and comments are not carried over. */
// Types only: the decoder itself is required on the first JPEG (see decoder()).
import type * as jpegJs from 'jpeg-js';
import { ImageRejection } from './errors';
import { assertWithinPixelLimit, DecodeLimits, DEFAULT_MAX_IMAGE_PIXELS } from './limits';
import { RasterImage } from './raster';
import { RejectionReason } from '../../shared/events';
import { hasTooManyJpegScans } from '../codecs/jpeg-header';

export interface JpegHeader {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** Start-of-frame marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...). */
  readonly frameMarker: number;
}

/** Frame types jpeg-js decodes (Huffman baseline, extended sequential, progressive). */
const DECODABLE_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** Markers in 0xC0..0xCF that are not start-of-frame. */
const NOT_FRAME = new Set([0xc4, 0xc8, 0xcc]);
/** Bytes of decoder working memory budgeted per pixel (component planes, output, headroom). */
const DECODE_BYTES_PER_PIXEL = 12;

function reject(reason: 'CORRUPT_IMAGE' | 'TOO_LARGE' | 'UNSUPPORTED_FORMAT', message: string): never {
  throw new ImageRejection(RejectionReason[reason], message);
}

let decode: typeof jpegJs.decode | undefined;

/**
 * jpeg-js's decoder, required on first use: most objects are DICOM, so a cold
 * Lambda should not compile a decoder it may never run (the ingest asset ships
 * it beside the bundle, like the codecs).
 */
function decoder(): typeof jpegJs.decode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when a JPEG arrives
  decode ??= require('jpeg-js/lib/decoder') as typeof jpegJs.decode;
  return decode;
}

/** Walks the marker segments up to the first start-of-frame, without decoding. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) reject('CORRUPT_IMAGE', 'JPEG marker structure is invalid');
    const marker = bytes[i + 1];
    if (marker === 0xff) { i += 1; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) break; // scan or end before any frame header
    const segmentLength = bytes[i + 2] * 256 + bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && !NOT_FRAME.has(marker)) {
      if (i + 10 > bytes.length) break;
      const height = bytes[i + 5] * 256 + bytes[i + 6];
      const width = bytes[i + 7] * 256 + bytes[i + 8];
      if (width === 0 || height === 0) reject('CORRUPT_IMAGE', 'JPEG has zero width or height');
      return { width, height, components: bytes[i + 9], frameMarker: marker };
    }
    i += 2 + segmentLength;
  }
  return reject('CORRUPT_IMAGE', 'JPEG has no frame header');
}

/**
 * Decodes a baseline/progressive JPEG to gray (1 component) or RGB.
 * Dimensions are checked from the frame header before decoding.
 * Throws `ImageRejection` (CORRUPT_IMAGE, TOO_LARGE (pixels, or more than
 * MAX_JPEG_SCANS scans), or UNSUPPORTED_FORMAT for
 * lossless/arithmetic/12-bit JPEG).
 */
export function decodeJpeg(bytes: Uint8Array, limits: DecodeLimits = {}): RasterImage {
  const header = readJpegHeader(bytes);
  assertWithinPixelLimit(header.width, header.height, limits);
  if (!DECODABLE_FRAMES.has(header.frameMarker)) reject('UNSUPPORTED_FORMAT', 'JPEG coding process is not supported');
  // Each scan is a pass over the whole image: thousands of them would run for minutes.
  if (hasTooManyJpegScans(bytes)) reject('TOO_LARGE', 'JPEG has more scans than allowed');

  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decoder()(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(64, Math.ceil((maxPixels * DECODE_BYTES_PER_PIXEL) / 2 ** 20)),
    });
  } catch {
    return reject('CORRUPT_IMAGE', 'JPEG could not be decoded');
  }
  if (decoded.width !== header.width || decoded.height !== header.height) reject('CORRUPT_IMAGE', 'JPEG dimensions are inconsistent');

  if (header.components !== 1) return { width: decoded.width, height: decoded.height, channels: 3, data: decoded.data };
  // jpeg-js replicates gray into R, G and B; keep one.
  const pixels = decoded.width * decoded.height;
  const gray = new Uint8Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) gray[i] = decoded.data[p];
  return { width: decoded.width, height: decoded.height, channels: 1, data: gray };
}
