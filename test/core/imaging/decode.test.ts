import { ImageRejection } from '../../../src/core/imaging/errors';
import { decodeJpeg, readJpegHeader } from '../../../src/core/imaging/jpeg';
import { decodePng, readPngHeader } from '../../../src/core/imaging/png';
import { makeJpeg, makePng } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';

/** The image decoders must throw ImageRejection, not just any InputRejection. */
const imageReason = (run: () => unknown) => reasonOf(run, ImageRejection);

describe('decodePng', () => {
  test('8-bit gray keeps one channel and exact pixels', () => {
    const decoded = decodePng(makePng(7, 3, (x, y) => x * 10 + y));
    expect(decoded.bitDepth).toBe(8);
    const image = decoded.image;
    expect(image).toMatchObject({ width: 7, height: 3 });
    expect(decoded.bitDepth === 8 && decoded.image.channels).toBe(1);
    expect(Array.from(image.data.subarray(0, 7))).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(image.data[2 * 7 + 6]).toBe(62);
  });

  test('RGB keeps three interleaved channels', () => {
    const decoded = decodePng(makePng(2, 2, (x, y, c) => [200, 100, 50][c] + x + y, { channels: 3 }));
    if (decoded.bitDepth !== 8) throw new Error('expected 8-bit');
    expect(decoded.image.channels).toBe(3);
    expect(Array.from(decoded.image.data)).toEqual([200, 100, 50, 201, 101, 51, 201, 101, 51, 202, 102, 52]);
  });

  test('16-bit gray is returned as 16-bit samples', () => {
    const decoded = decodePng(makePng(4, 1, (x) => x * 20000, { bitDepth: 16 }));
    expect(decoded.bitDepth).toBe(16);
    expect(Array.from(decoded.image.data)).toEqual([0, 20000, 40000, 60000]);
  });

  test('header is read without decoding', () => {
    expect(readPngHeader(makePng(300, 200, () => 0))).toEqual({ width: 300, height: 200, bitDepth: 8, colorType: 0 });
  });

  test('a decompression bomb is refused from the header alone', () => {
    const png = Buffer.from(makePng(10, 10, () => 0));
    png.writeUInt32BE(100_000, 16); // claim 100000 x 100000 pixels (the CRC is now wrong too)
    png.writeUInt32BE(100_000, 20);
    expect(imageReason(() => decodePng(png))).toBe('TOO_LARGE');
    expect(imageReason(() => decodePng(makePng(100, 100, () => 0), { maxPixels: 9_999 }))).toBe('TOO_LARGE');
  });

  test('damaged data is CORRUPT_IMAGE', () => {
    const png = makePng(64, 64, (x, y) => (x * 7 + y * 13) % 256);
    expect(imageReason(() => decodePng(png.subarray(0, png.length - 40)))).toBe('CORRUPT_IMAGE');
    expect(imageReason(() => decodePng(png.subarray(0, 20)))).toBe('CORRUPT_IMAGE');
  });
});

describe('decodeJpeg', () => {
  test('decodes dimensions and approximately the pixels (lossy)', () => {
    const image = decodeJpeg(makeJpeg(32, 16, () => 128));
    expect(image).toMatchObject({ width: 32, height: 16, channels: 3 });
    for (const v of image.data) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
  });

  test('header is read without decoding', () => {
    expect(readJpegHeader(makeJpeg(40, 24, () => 0))).toMatchObject({ width: 40, height: 24, components: 3, frameMarker: 0xc0 });
  });

  test('pixel limit is enforced before decoding', () => {
    expect(imageReason(() => decodeJpeg(makeJpeg(100, 100, () => 0), { maxPixels: 9_999 }))).toBe('TOO_LARGE');
  });

  test('damaged data is CORRUPT_IMAGE', () => {
    const jpg = makeJpeg(64, 64, (x, y) => (x * y) % 256);
    expect(imageReason(() => decodeJpeg(jpg.subarray(0, 30)))).toBe('CORRUPT_IMAGE');
    expect(imageReason(() => decodeJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9])))).toBe('CORRUPT_IMAGE');
  });

  test('a lossless JPEG is UNSUPPORTED_FORMAT', () => {
    const jpg = Buffer.from(makeJpeg(8, 8, () => 0));
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg[sof + 1] = 0xc3;
    expect(imageReason(() => decodeJpeg(jpg))).toBe('UNSUPPORTED_FORMAT');
  });
});
