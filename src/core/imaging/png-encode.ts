/**
 * PNG writing for derived images. Written directly (not through pngjs) because
 * this is the ingest's hot path: one pass applies the row filter into the
 * buffer zlib reads, and nothing else is copied.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { deflateStrategyFor } from './deflate-strategy';
import { RasterImage } from './raster';
import { ScratchBuffer } from './scratch';

/**
 * zlib level for derived PNGs. With the RLE and Huffman-only strategies the
 * level changes little (neither does string matching); 3 keeps the former
 * default's meaning.
 */
export const DEFAULT_PNG_DEFLATE_LEVEL = 3;
/** PNG row filter "Sub": cheap and effective on smooth medical images (adaptive filtering is slow in JS). */
const FILTER_SUB = 1;
const COLOR_TYPE_GRAY = 0;
const COLOR_TYPE_RGB = 2;
const EMPTY = new Uint8Array(0);
/** Byte order of this machine's typed arrays (subFilteredGrayWords reads pixels as 32-bit words). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngEncodeOptions {
  /** zlib level 0..9. @default DEFAULT_PNG_DEFLATE_LEVEL */
  readonly deflateLevel?: number;
  /**
   * Where the filtered scanlines are written before zlib reads them. Reusing
   * one buffer per concurrent encode spares a fresh allocation of the image's
   * size; it must not be shared by two encodes in flight. @default a new buffer
   */
  readonly filterBuffer?: ScratchBuffer;
}

const deflate = promisify(zlib.deflate);
/**
 * Filtered data up to this size is compressed on the calling thread: handing
 * it to the thread pool and waiting for the result cost more than the
 * compression itself (about half a millisecond for a 512x512 CT slice), and an
 * image this small is not downscaled for analysis, so there is no other work to
 * overlap it with. Larger images go to the pool.
 */
export const SYNC_DEFLATE_MAX_BYTES = 2 ** 20;

/**
 * Encodes an 8-bit gray or RGB image as PNG. Only IHDR, IDAT and IEND are
 * written: no text, time, gamma or EXIF chunks, so nothing but pixels leaves.
 * The filter runs on the calling thread; zlib compresses a large image in
 * libuv's thread pool, so the caller can go on with other work (another core,
 * when there is one), and a small one on the calling thread (SYNC_DEFLATE_MAX_BYTES).
 */
export async function encodePng(image: RasterImage, options: PngEncodeOptions = {}): Promise<Buffer> {
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
  const rowBytes = width * channels;
  const filtered = subFiltered(data, rowBytes, height, channels, options.filterBuffer?.take((rowBytes + 1) * height));
  const deflateOptions: zlib.ZlibOptions = {
    level: options.deflateLevel ?? DEFAULT_PNG_DEFLATE_LEVEL,
    // Z_RLE or Z_HUFFMAN_ONLY, by the image's runs: on Sub-filtered medical images both are several
    // times faster than the default strategy at any level, and as small or smaller.
    strategy: deflateStrategyFor(filtered, rowBytes + 1, height),
    // One output buffer that surely fits: zlib then returns it as is instead of
    // concatenating 16 KiB pieces (pages past the compressed end are never touched).
    chunkSize: deflateBound(filtered.length),
    // Finish on the one write: otherwise the async deflate flushes the rest in a second write and Node concatenates
    // the two outputs, a copy of the whole IDAT that assemblePng copies again.
    flush: zlib.constants.Z_FINISH,
  };
  const idat = filtered.length <= SYNC_DEFLATE_MAX_BYTES ? zlib.deflateSync(filtered, deflateOptions) : await deflate(filtered, deflateOptions);
  return assemblePng([['IHDR', ihdr], ['IDAT', idat], ['IEND', EMPTY]]);
}

/**
 * zlib's worst case for stored blocks: 5 bytes per 16 KiB block plus header
 * and trailer; never below zlib's minimum chunk size.
 */
function deflateBound(length: number): number {
  return Math.max(zlib.constants.Z_MIN_CHUNK, length + 5 * Math.ceil(length / 16_384) + 64);
}

/** Scanlines with the Sub filter: each byte minus the byte one pixel to its left, a filter-type byte before each row. */
function subFiltered(data: Uint8Array, rowBytes: number, height: number, bytesPerPixel: number,
  out: Uint8Array = new Uint8Array((rowBytes + 1) * height)): Uint8Array {
  if (bytesPerPixel === 1) return subFilteredGray(data, rowBytes, height, out);
  for (let y = 0, src = 0, dst = 0; y < height; y++) {
    out[dst++] = FILTER_SUB;
    const rowEnd = src + rowBytes;
    for (let i = 0; i < bytesPerPixel; i++) out[dst++] = data[src++];
    // Uint8Array stores wrap mod 256, which is the filter's arithmetic.
    for (; src < rowEnd; src++, dst++) out[dst] = data[src] - data[src - bytesPerPixel];
  }
  return out;
}

/** subFiltered for one byte per pixel, the left neighbour kept in a register (gray previews are the common case). */
function subFilteredGray(data: Uint8Array, width: number, height: number, out: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN && width % 4 === 0 && data.byteOffset % 4 === 0) return subFilteredGrayWords(data, width, height, out);
  for (let y = 0, src = 0, dst = 0; y < height; y++) {
    out[dst++] = FILTER_SUB;
    const rowEnd = src + width;
    let left = data[src++];
    out[dst++] = left;
    while (src < rowEnd) {
      const value = data[src++];
      out[dst++] = value - left;
      left = value;
    }
  }
  return out;
}

/* eslint-disable no-bitwise -- the filter subtracts four bytes at a time in one 32-bit word */
/**
 * subFilteredGray four pixels at a time, for rows of whole 32-bit words: each
 * word minus the same word shifted by one pixel, byte by byte without borrows
 * between bytes (the high bit of each byte is handled apart so no borrow
 * crosses into the next). On a little-endian machine the pixel to the left is
 * the next lower byte of the word; the output rows, one filter byte longer,
 * are not word-aligned, hence the little-endian DataView writes.
 */
function subFilteredGrayWords(data: Uint8Array, width: number, height: number, out: Uint8Array): Uint8Array {
  const words = new Uint32Array(data.buffer, data.byteOffset, (width * height) / 4);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  const wordsPerRow = width / 4;
  for (let y = 0, w = 0, dst = 0; y < height; y++) {
    out[dst++] = FILTER_SUB;
    let previous = 0; // the pixel left of the row is 0 for the Sub filter
    for (let rowEnd = w + wordsPerRow; w < rowEnd; w++, dst += 4) {
      const current = words[w];
      const left = (current << 8) | (previous >>> 24);
      previous = current;
      view.setUint32(dst, ((current | 0x80808080) - (left & 0x7f7f7f7f)) ^ ((current ^ ~left) & 0x80808080), true);
    }
  }
  return out;
}
/* eslint-enable no-bitwise */

/** The signature and the chunks (length, type, body, CRC-32 of type and body) in one buffer, each body copied once. */
function assemblePng(chunks: ReadonlyArray<readonly [type: string, body: Uint8Array]>): Buffer {
  const length = SIGNATURE.length + chunks.reduce((sum, [, body]) => sum + 12 + body.length, 0);
  const out = Buffer.allocUnsafe(length);
  let offset = SIGNATURE.copy(out, 0);
  for (const [type, body] of chunks) {
    offset = out.writeUInt32BE(body.length, offset);
    const typeBytes = Buffer.from(type, 'latin1');
    offset += typeBytes.copy(out, offset);
    out.set(body, offset);
    offset += body.length;
    offset = out.writeUInt32BE(zlib.crc32(body, zlib.crc32(typeBytes)), offset);
  }
  return out;
}
