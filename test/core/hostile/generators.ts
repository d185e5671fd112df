/* eslint-disable no-bitwise -- byte layouts of PNG, JPEG 2000 and DICOM are bitwise by nature */
/**
 * Generators of hostile (and a few valid but heavy) inputs for the hostile
 * catalogue. Each returns the file's bytes; nothing here is random.
 */
import * as zlib from 'node:zlib';
import { encodeHtj2k, encodeJpeg2000 } from '../../fixtures/encoders/wasm';
import { makeDicom, MakeDicomOptions } from '../../fixtures/images';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function uint32BE(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

const SYNC_FLUSH = { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BLOCK_BYTES = 2 ** 24;

/**
 * A raw deflate stream of `head`, then `length` bytes that repeat `block`: the
 * block is deflated once (on its own, ended by a sync flush) and its
 * compressed form repeated, so a gigabyte of data costs one block's work.
 */
function repeatedDeflate(head: Uint8Array, block: Uint8Array, length: number): Buffer {
  const whole = Math.floor(length / block.length);
  const compressed = zlib.deflateRawSync(block, SYNC_FLUSH);
  const tail = block.subarray(0, length - whole * block.length);
  return Buffer.concat([
    zlib.deflateRawSync(head, SYNC_FLUSH),
    ...Array.from({ length: whole }, () => compressed),
    zlib.deflateRawSync(tail, SYNC_FLUSH),
    zlib.deflateRawSync(new Uint8Array(0)),
  ]);
}

/** A PNG whose one IDAT is a zlib stream of `inflatedBytes` zeros. */
function pngOfZeros(width: number, height: number, bitDepth: number, colorType: number, interlace: number, inflatedBytes: number): Buffer {
  const ihdr = Buffer.concat([uint32BE(width), uint32BE(height), Uint8Array.of(bitDepth, colorType, 0, 0, interlace)]);
  const stream = repeatedDeflate(new Uint8Array(0), new Uint8Array(BLOCK_BYTES), inflatedBytes);
  const zlibStream = Buffer.concat([Uint8Array.of(0x78, 0x01), stream, uint32BE(adler32OfZeros(inflatedBytes))]);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlibStream), pngChunk('IEND', new Uint8Array(0))]);
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const typeBytes = Buffer.from(type, 'latin1');
  return Buffer.concat([uint32BE(data.length), typeBytes, data, uint32BE(zlib.crc32(Buffer.concat([typeBytes, data])))]);
}

/** Adler-32 of `length` zero bytes (a = 1 throughout, b grows by 1 a byte). */
function adler32OfZeros(length: number): number {
  return ((length % 65521) * 65536 + 1) >>> 0;
}

/**
 * A 1x1 gray interlaced PNG whose one IDAT inflates to `inflatedBytes` zeros:
 * pngjs inflates interlaced data with no bound (2 bytes are all the image needs).
 */
export function interlacedPngBomb(inflatedBytes: number): Buffer {
  return pngOfZeros(1, 1, 8, 0, 1, inflatedBytes);
}

/** A valid black 16-bit RGB PNG: a few hundred kilobytes on disk, `width * height * 8` bytes once pngjs has decoded it to RGBA. */
export function largeRgb16Png(width: number, height: number): Buffer {
  return pngOfZeros(width, height, 16, 2, 0, height * (1 + width * 6));
}

const GRAY8 = { samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false } as const;

/** A small real image, so that a codestream carries kilobytes of real data. */
function texture(size: number): Uint8Array {
  return new Uint8Array(size * size).map((_, i) => ((i % size) * 37 + Math.floor(i / size) * 11 + ((i * 7919) % 23)) & 0xff);
}

export type J2kKind = 'jpeg2000' | 'htj2k';

export function codestream(kind: J2kKind, size: number): Uint8Array {
  const geometry = { ...GRAY8, rows: size, columns: size };
  return kind === 'jpeg2000' ? encodeJpeg2000(texture(size), geometry, true) : encodeHtj2k(texture(size), geometry, true, false);
}

/** A copy of `stream` whose SIZ claims `size` x `size` (and, with `tiles`, one tile of that size). */
export function patchedSiz(stream: Uint8Array, size: number, tiles: boolean): Uint8Array {
  const out = Uint8Array.from(stream);
  const view = new DataView(out.buffer);
  view.setUint32(8, size);
  view.setUint32(12, size);
  if (tiles) {
    view.setUint32(24, size);
    view.setUint32(28, size);
  }
  return out;
}

/**
 * A codestream of `side` x `side` one-pixel tiles, every tile present with an
 * empty tile-part (main header markers taken from a real 64x64 codestream).
 */
export function manyTilesCodestream(side: number): Uint8Array {
  const real = codestream('jpeg2000', 64);
  const sizLength = (real[4] << 8) | real[5];
  const siz = Uint8Array.from(real.subarray(0, 4 + sizLength));
  const view = new DataView(siz.buffer);
  [side, side, 0, 0, 1, 1, 0, 0].forEach((value, i) => view.setUint32(8 + 4 * i, value));
  let firstSot = 4 + sizLength;
  while (!(real[firstSot] === 0xff && real[firstSot + 1] === 0x90)) firstSot += 2 + ((real[firstSot + 2] << 8) | real[firstSot + 3]);
  const markers = real.subarray(4 + sizLength, firstSot);
  const tiles = side * side;
  const tilePart = 12 + 2 + 1;
  const body = Buffer.alloc(tiles * tilePart);
  for (let t = 0; t < tiles; t++) {
    const o = t * tilePart;
    body.writeUInt16BE(0xff90, o);
    body.writeUInt16BE(10, o + 2);
    body.writeUInt16BE(t, o + 4);
    body.writeUInt32BE(tilePart, o + 6);
    body[o + 10] = 0;
    body[o + 11] = 1;
    body.writeUInt16BE(0xff93, o + 12);
    body[o + 14] = 0; // one empty packet
  }
  return Buffer.concat([siz, markers, body, Uint8Array.of(0xff, 0xd9)]);
}

function box(type: string, content: Uint8Array): Buffer {
  return Buffer.concat([uint32BE(8 + content.length), Buffer.from(type, 'latin1'), content]);
}

/** A JP2 file (ISO 15444-1 Annex I): signature, file type, header (ihdr, colr) and the codestream box. */
export function jp2File(stream: Uint8Array, rows: number, columns: number, codestreamBoxLength?: number): Buffer {
  const ihdr = Buffer.concat([uint32BE(rows), uint32BE(columns), Uint8Array.of(0, 1, 7, 7, 0, 0)]);
  const colr = Uint8Array.of(1, 0, 0, 0, 0, 0, 17); // enumerated, greyscale
  const jp2c = box('jp2c', stream);
  if (codestreamBoxLength !== undefined) jp2c.writeUInt32BE(codestreamBoxLength, 0);
  return Buffer.concat([
    uint32BE(12), Buffer.from('jP  ', 'latin1'), Uint8Array.of(0x0d, 0x0a, 0x87, 0x0a),
    box('ftyp', Buffer.concat([Buffer.from('jp2 ', 'latin1'), uint32BE(0), Buffer.from('jp2 ', 'latin1')])),
    box('jp2h', Buffer.concat([box('ihdr', ihdr), box('colr', colr)])),
    jp2c,
  ]);
}

const JPEG2000_LOSSLESS = '1.2.840.10008.1.2.4.90';
const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';

function item(bytes: Uint8Array): Buffer {
  const padded = bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Uint8Array.of(0)]);
  const header = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  header.writeUInt32LE(padded.length, 4);
  return Buffer.concat([header, padded]);
}

/** An 8-bit gray DICOM object whose one frame is `frame`, encapsulated as given (header written by makeDicom). */
export function encapsulatedDicom(kind: J2kKind, frame: Uint8Array, rows: number, columns: number): Buffer {
  const header = makeDicom({
    rows, columns, bitsAllocated: 8, bitsStored: 8, transferSyntax: kind === 'jpeg2000' ? JPEG2000_LOSSLESS : HTJ2K_LOSSLESS, omitPixelData: true,
  });
  const pixelData = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  return Buffer.concat([header, pixelData, item(new Uint8Array(0)), item(frame), Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])]);
}

/** Offset of the data set in a Part 10 file with preamble (after the meta group, whose length is its first element). */
function dataSetOffset(file: Uint8Array): number {
  return 132 + 12 + Buffer.from(file).readUInt32LE(132 + 8);
}

/**
 * A deflated 16-bit gray DICOM object of `frames` frames of `rows` x `columns`,
 * valid and within the size limits, written without ever holding its inflated
 * data set: the pixel data is one 16 MiB smooth block, repeated.
 */
export function largeDeflatedDicom(rows: number, columns: number, frames: number): Buffer {
  const options: MakeDicomOptions = { rows, columns, numberOfFrames: frames, bitsAllocated: 16, bitsStored: 12, transferSyntax: 'deflated', omitPixelData: true };
  const header = makeDicom(options);
  const offset = dataSetOffset(header);
  const dataSet = zlib.inflateRawSync(header.subarray(offset));
  const pixelBytes = rows * columns * 2 * frames;
  const pixelHeader = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 0, 0, 0, 0]);
  pixelHeader.writeUInt32LE(pixelBytes, 8);
  const block = new Uint8Array(BLOCK_BYTES);
  const words = new Uint16Array(block.buffer);
  // Row y holds (x + y) mod 4096: a window into one ramp, copied row by row.
  const rowsInBlock = Math.ceil(words.length / columns);
  const ramp = Uint16Array.from({ length: columns + rowsInBlock }, (_, k) => k & 0xfff);
  for (let y = 0; y < rowsInBlock; y++) words.set(ramp.subarray(y, y + Math.min(columns, words.length - y * columns)), y * columns);
  return Buffer.concat([header.subarray(0, offset), repeatedDeflate(Buffer.concat([dataSet, pixelHeader]), block, pixelBytes)]);
}

/** An explicit VR LE DICOM object with `depth` sequences nested inside each other (undefined lengths) before its pixel data. */
export function deeplyNestedDicom(depth: number): Buffer {
  const file = makeDicom({ rows: 8, columns: 8 });
  const offset = dataSetOffset(file);
  const open = Buffer.from([0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
  const close = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  // (0040,A730) Content Sequence goes first, out of tag order: the parser meets it right after the meta group.
  const nested = [Buffer.alloc(open.length * depth, open), Buffer.alloc(close.length * depth, close)];
  return Buffer.concat([file.subarray(0, offset), ...nested, file.subarray(offset)]);
}

/** A valid object with NumberOfFrames `value` (text as written). */
export function framesDicom(value: string): Buffer {
  return makeDicom({ rows: 8, columns: 8, extraElements: [{ tag: 0x00280008, vr: 'IS', text: value }] });
}
