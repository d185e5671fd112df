/**
 * PNG writing for derived images. Written directly (not through pngjs) because
 * this is the ingest's hot path: one pass applies the row filter into the
 * buffer zlib reads, and nothing else is copied.
 */
import * as zlib from 'node:zlib';
import { RasterImage } from './raster';

/**
 * zlib level for derived PNGs. With the RLE strategy the level changes little
 * (RLE does no string matching); 3 keeps the former default's meaning.
 */
export const DEFAULT_PNG_DEFLATE_LEVEL = 3;
/**
 * Z_RLE: on Sub-filtered radiographs it is several times faster than the
 * default strategy at any level and the output is as small or smaller
 * (runs of equal differences are what filtered medical images are made of).
 */
const DEFLATE_STRATEGY = zlib.constants.Z_RLE;
/** PNG row filter "Sub": cheap and effective on smooth medical images (adaptive filtering is slow in JS). */
const FILTER_SUB = 1;
const COLOR_TYPE_GRAY = 0;
const COLOR_TYPE_RGB = 2;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngEncodeOptions {
  /** zlib level 0..9. @default DEFAULT_PNG_DEFLATE_LEVEL */
  readonly deflateLevel?: number;
}

/**
 * Encodes an 8-bit gray or RGB image as PNG. Only IHDR, IDAT and IEND are
 * written: no text, time, gamma or EXIF chunks, so nothing but pixels leaves.
 */
export function encodePng(image: RasterImage, options: PngEncodeOptions = {}): Buffer {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError('image width and height must be integers between 1 and 2^31 - 1');
  }
  if (data.length < width * height * channels) {
    throw new RangeError('image data is shorter than width * height * channels');
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? COLOR_TYPE_GRAY : COLOR_TYPE_RGB;
  // bytes 10-12: deflate compression, adaptive filtering method, no interlace (all 0)
  const idat = zlib.deflateSync(subFiltered(data, width * channels, height, channels), {
    level: options.deflateLevel ?? DEFAULT_PNG_DEFLATE_LEVEL,
    strategy: DEFLATE_STRATEGY,
  });
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** Scanlines with the Sub filter: each byte minus the byte one pixel to its left, a filter-type byte before each row. */
function subFiltered(data: Uint8Array, rowBytes: number, height: number, bytesPerPixel: number): Uint8Array {
  const out = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0, src = 0, dst = 0; y < height; y++) {
    out[dst++] = FILTER_SUB;
    const rowEnd = src + rowBytes;
    for (let i = 0; i < bytesPerPixel; i++) out[dst++] = data[src++];
    // Uint8Array stores wrap mod 256, which is the filter's arithmetic.
    for (; src < rowEnd; src++, dst++) out[dst] = data[src] - data[src - bytesPerPixel];
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** The PNG chunk CRC is zlib's CRC-32 (node:zlib has it from Node 20.15 / 22.2; Lambda runs 24). */
function crc32(bytes: Uint8Array): number {
  return zlib.crc32(bytes);
}
