/* eslint-disable no-bitwise -- byte layouts of PNG and JPEG 2000 are bitwise by nature */
/**
 * The decoders' bounds one by one (issue 13 items 2, 9, 12): JP2 files are
 * unwrapped and decode like their codestream (and like OpenJPEG's own
 * opj_decompress); a JPEG 2000 tile grid is bounded and must be complete;
 * interlaced PNG data cannot inflate past what its header implies, while real
 * interlaced PNGs still decode.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { codestream, encapsulatedDicom, interlacedPngBomb, jp2File, manyTilesCodestream, patchedSiz } from './generators';
import { checkedJ2kCodestream, j2kCodestream, MAX_J2K_TILES, readJ2kSize, tilesPresent } from '../../../src/core/codecs/j2k-header';
import { parseDicom } from '../../../src/core/dicom/parse';
import { decodePng, expectedInflatedBytes, readPngHeader } from '../../../src/core/imaging/png';
import { encodeHtj2k, encodeJpeg2000 } from '../../fixtures/encoders/wasm';
import { makePng } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';

const GEOMETRY = { samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false } as const;
const NO_FLOOR = { bytesPerMegasample: 0, flatBytes: 0 };

describe('JP2 files', () => {
  const raw = codestream('jpeg2000', 64);

  test('a JP2 file decodes to the same pixels as its codestream, and as opj_decompress reads the file', () => {
    const fromJp2 = parseDicom(encapsulatedDicom('jpeg2000', jp2File(raw, 64, 64), 64, 64)).frame1;
    const fromRaw = parseDicom(encapsulatedDicom('jpeg2000', raw, 64, 64)).frame1;
    expect(Buffer.compare(Buffer.from(fromJp2), Buffer.from(fromRaw))).toBe(0);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jp2-'));
    try {
      fs.writeFileSync(path.join(dir, 'in.jp2'), jp2File(raw, 64, 64));
      execFileSync('opj_decompress', ['-i', path.join(dir, 'in.jp2'), '-o', path.join(dir, 'out.pgm')], { stdio: 'ignore' });
      const pgm = fs.readFileSync(path.join(dir, 'out.pgm'));
      const pixels = pgm.subarray(pgm.length - 64 * 64);
      expect(Buffer.compare(pixels, Buffer.from(fromJp2))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('box lengths are checked before slicing: past the end, shorter than the header, or no codestream box', () => {
    expect(j2kCodestream(jp2File(raw, 64, 64))).toEqual(raw);
    expect(j2kCodestream(jp2File(raw, 64, 64, 2 ** 31))).toBeUndefined();
    expect(j2kCodestream(jp2File(raw, 64, 64, 4))).toBeUndefined();
    const noCodestream = jp2File(raw, 64, 64).subarray(0, 12 + 20);
    expect(j2kCodestream(noCodestream)).toBeUndefined();
    // LBox 0: the last box runs to the end of the file.
    const toEnd = jp2File(raw, 64, 64, 0);
    expect(j2kCodestream(toEnd)).toEqual(raw);
    expect(reasonOf(() => parseDicom(encapsulatedDicom('jpeg2000', jp2File(raw, 64, 64, 2 ** 31), 64, 64)).frame1)).toBe('CORRUPT_IMAGE');
  });
});

describe('JPEG 2000 tile grid and data', () => {
  test('the tile count comes from SIZ; every tile must have a tile-part', () => {
    const stream = manyTilesCodestream(8);
    expect(readJ2kSize(stream)?.tiles).toBe(64);
    expect(tilesPresent(stream, 64)).toBe(64);
    // Cut the last tile-part off: tile 63 is missing.
    const cut = Buffer.concat([stream.subarray(0, stream.length - 2 - 15), Uint8Array.of(0xff, 0xd9)]);
    expect(tilesPresent(cut, 64)).toBe(63);
    expect(reasonOf(() => checkedJ2kCodestream(cut, { ...GEOMETRY, rows: 8, columns: 8 }, 'JPEG 2000', NO_FLOOR))).toBe('CORRUPT_IMAGE');
  });

  test('a complete grid of more than MAX_J2K_TILES tiles is TOO_LARGE before the codec sees it', () => {
    const side = Math.ceil(Math.sqrt(MAX_J2K_TILES + 1));
    const stream = manyTilesCodestream(side);
    expect(tilesPresent(stream, side * side)).toBe(side * side);
    expect(reasonOf(() => checkedJ2kCodestream(stream, { ...GEOMETRY, rows: side, columns: side }, 'JPEG 2000', NO_FLOOR))).toBe('TOO_LARGE');
    const justUnder = manyTilesCodestream(Math.floor(Math.sqrt(MAX_J2K_TILES)));
    expect(() => checkedJ2kCodestream(justUnder, { ...GEOMETRY, rows: 64, columns: 64 }, 'JPEG 2000', NO_FLOOR)).not.toThrow();
  });

  test.each(['jpeg2000', 'htj2k'] as const)('%s: a 64x64 codestream whose SIZ claims 10000x10000 is CORRUPT_IMAGE before decoding', (kind) => {
    const real = codestream(kind, 64);
    expect(parseDicom(encapsulatedDicom(kind, real, 64, 64)).frame1).toHaveLength(64 * 64);
    for (const tiles of [false, true]) {
      const started = performance.now();
      expect(reasonOf(() => parseDicom(encapsulatedDicom(kind, patchedSiz(real, 10000, tiles), 10000, 10000)).frame1)).toBe('CORRUPT_IMAGE');
      // Refused from the headers: decoding 10000x10000 takes seconds.
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  const encode = (kind: 'jpeg2000' | 'htj2k', pixels: Uint8Array, size: number): Uint8Array => {
    const g = { ...GEOMETRY, rows: size, columns: size };
    return kind === 'jpeg2000' ? encodeJpeg2000(pixels, g, true) : encodeHtj2k(pixels, g, true, false);
  };

  test.each(['jpeg2000', 'htj2k'] as const)('%s: a flat 2048x2048 frame is a real image, not refused (no floor below what a flat frame takes)', (kind) => {
    const frame = parseDicom(encapsulatedDicom(kind, encode(kind, new Uint8Array(2048 * 2048), 2048), 2048, 2048)).frame1;
    expect(frame.every((v: number) => v === 0)).toBe(true);
  });

  test.each(['jpeg2000', 'htj2k'] as const)('%s: a small label on an otherwise black 4000x4000 frame decodes', (kind) => {
    const size = 4000;
    const pixels = new Uint8Array(size * size);
    for (let y = 100; y < 150; y++) for (let x = 100; x < 400; x++) pixels[y * size + x] = (x * 7919 + y * 31) % 97 > 60 ? 255 : 0;
    const frame = parseDicom(encapsulatedDicom(kind, encode(kind, pixels, size), size, size)).frame1;
    expect(Buffer.compare(Buffer.from(frame), Buffer.from(pixels))).toBe(0);
  });
});

/** An interlaced PNG, written with pngjs's own Adam7 geometry (independent of the code under test). */
function interlacedPng(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pngjs's Adam7 helper has no typings
  const interlace = require('pngjs/lib/interlace') as {
    getImagePasses(w: number, h: number): Array<{ width: number; height: number }>;
    getInterlaceIterator(w: number): (x: number, y: number, pass: number) => number;
  };
  const at = interlace.getInterlaceIterator(width);
  const rows: number[] = [];
  interlace.getImagePasses(width, height).forEach((pass, p) => {
    for (let y = 0; y < pass.height; y++) {
      rows.push(0);
      for (let x = 0; x < pass.width; x++) {
        const index = at(x, y, p) / 4;
        rows.push(value(index % width, Math.floor(index / width)));
      }
    }
  });
  const png = makePng(width, height, value);
  const ihdrEnd = 8 + 8 + 13 + 4;
  const ihdr = Buffer.from(png.subarray(8, ihdrEnd));
  ihdr[8 + 12] = 1; // interlace method Adam7
  ihdr.writeUInt32BE(zlib.crc32(ihdr.subarray(4, 8 + 13)), 8 + 13);
  const data = zlib.deflateSync(Uint8Array.from(rows));
  const idat = Buffer.concat([Buffer.alloc(4), Buffer.from('IDAT'), data, Buffer.alloc(4)]);
  idat.writeUInt32BE(data.length, 0);
  idat.writeUInt32BE(zlib.crc32(idat.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, 8), ihdr, idat, png.subarray(png.length - 12)]);
}

describe('PNG inflation bounds', () => {
  const value = (x: number, y: number) => (x * 13 + y * 7) % 256;

  test.each([[1, 1], [7, 5], [33, 17], [64, 64]])('a real %ix%i interlaced PNG decodes to its pixels', (width, height) => {
    const png = interlacedPng(width, height, value);
    const header = readPngHeader(png);
    expect(expectedInflatedBytes(header, true)).toBe(zlib.inflateSync(png.subarray(8 + 25 + 8, png.length - 12 - 4)).length);
    const decoded = decodePng(png);
    expect(decoded.bitDepth).toBe(8);
    const expected = Array.from({ length: width * height }, (_, i) => value(i % width, Math.floor(i / width)));
    expect(Array.from(decoded.image.data as Uint8Array)).toEqual(expected);
  });

  test('a 1x1 interlaced PNG whose data inflates to 64 MiB is CORRUPT_IMAGE without inflating it', () => {
    const bomb = interlacedPngBomb(64 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    expect(reasonOf(() => decodePng(bomb))).toBe('CORRUPT_IMAGE');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });

  test('a PNG decoding to more than maxDecodedBytes is TOO_LARGE from its header', () => {
    const png = makePng(64, 64, value);
    expect(reasonOf(() => decodePng(png, { maxDecodedBytes: 64 * 64 * 4 - 1 }))).toBe('TOO_LARGE');
    expect(decodePng(png, { maxDecodedBytes: 64 * 64 * 4 }).image.width).toBe(64);
  });
});
