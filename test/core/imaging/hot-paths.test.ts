/**
 * The ingest's fast paths (render LUT, 4-pixel lookups, word-wise PNG filter,
 * paired row sums in the downscale) against plain reference computations:
 * the same bytes, whatever the image size, alignment and parameters.
 */
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { deflateStrategyFor, HUFFMAN_ONLY_MAX_RUN_SHARE, RUN_SAMPLE_ROW_STEP } from '../../../src/core/imaging/deflate-strategy';
import { downscaleToFit, fitWithin } from '../../../src/core/imaging/downscale';
import { decodePng } from '../../../src/core/imaging/png';
import { encodePng, SYNC_DEFLATE_MAX_BYTES } from '../../../src/core/imaging/png-encode';
import { RasterImage } from '../../../src/core/imaging/raster';
import { applyWindow, renderGray, windowForRange } from '../../../src/core/imaging/render';
import { seededRandom } from '../../fixtures/images';

/** Every 16-bit word once, as a 256x256 image. */
const ALL_WORDS = Uint16Array.from({ length: 65536 }, (_, i) => i);

interface LinearCase {
  readonly bits: number;
  readonly signed: boolean;
  readonly slope: number;
  readonly intercept: number;
  readonly center: number;
  readonly width: number;
  readonly invert: boolean;
}

/** What renderGray must give for one raw word with rescale and a LINEAR window (PS3.3 C.11.2.1.2), computed word by word. */
function referenceDisplay(raw: number, p: LinearCase): number {
  const low = raw % 2 ** p.bits;
  const stored = p.signed && low >= 2 ** (p.bits - 1) ? low - 2 ** p.bits : low;
  const value = applyWindow(stored * p.slope + p.intercept, p.center, p.width);
  return p.invert ? 255 - value : value;
}

describe('renderGray LINEAR window table', () => {
  const cases: LinearCase[] = [
    { bits: 16, signed: true, slope: 1, intercept: -1024, center: 40, width: 400, invert: false }, // CT
    { bits: 12, signed: false, slope: 1, intercept: 0, center: 2048, width: 4096, invert: true }, // MONOCHROME1 radiograph
    { bits: 12, signed: true, slope: -0.5, intercept: 7.25, center: -3, width: 1, invert: false }, // decreasing rescale, narrowest window
    { bits: 10, signed: false, slope: 2.5e-3, intercept: -0.75, center: 0.3, width: 1.5, invert: false }, // fractional rescale
    { bits: 1, signed: true, slope: 1, intercept: 0, center: 0, width: 2, invert: false },
    { bits: 16, signed: false, slope: 3, intercept: -70000, center: 1e5, width: 3e4, invert: true },
  ];

  test.each(cases)('every raw word maps as the window says (%o)', (p) => {
    const { image } = renderGray({
      width: 256,
      height: 256,
      samples: ALL_WORDS,
      bitsStored: p.bits,
      signed: p.signed,
      rescaleSlope: p.slope,
      rescaleIntercept: p.intercept,
      windowCenter: p.center,
      windowWidth: p.width,
      invert: p.invert,
    });
    const expected = Uint8Array.from(ALL_WORDS, (raw) => referenceDisplay(raw, p));
    expect(Buffer.from(image.data).equals(Buffer.from(expected))).toBe(true);
  });

  test('the percentile window is applied through the same table as a file window with its centre and width', () => {
    const random = seededRandom(11);
    const samples = Uint16Array.from({ length: 300 * 7 }, () => Math.floor(random() * 4096));
    const auto = renderGray({ width: 300, height: 7, samples, bitsStored: 12 });
    const file = renderGray({ width: 300, height: 7, samples, bitsStored: 12, windowCenter: auto.window.center, windowWidth: auto.window.width });
    expect(auto.window.source).toBe('percentile');
    expect(Buffer.from(auto.image.data).equals(Buffer.from(file.image.data))).toBe(true);
  });
});

describe('renderGray pixel lookup', () => {
  // A window over the whole word range, so that neighbouring pixels give different display values.
  const p: LinearCase = { bits: 16, signed: false, slope: 1, intercept: 0, center: 32768, width: 65536, invert: false };

  // Pixel data starts wherever the file puts it: 0 or 2 mod 4 bytes into the buffer, any count of pixels.
  test.each([[0, 1], [0, 7], [0, 8], [0, 9], [2, 8], [2, 9], [2, 11], [2, 4099], [0, 4099], [6, 12]])(
    'words at byte offset %i, %i pixels, render as pixel by pixel', (byteOffset, pixels) => {
      const random = seededRandom(byteOffset * 1000 + pixels);
      const buffer = new ArrayBuffer(byteOffset + pixels * 2 + 4);
      new Uint8Array(buffer).forEach((_, i, all) => { all[i] = Math.floor(random() * 256); });
      const words = new Uint16Array(buffer, byteOffset, pixels);
      const { image } = renderGray({ width: pixels, height: 1, samples: words, bitsStored: 16, windowCenter: p.center, windowWidth: p.width });
      expect(Array.from(image.data)).toEqual(Array.from(words, (raw) => referenceDisplay(raw, p)));
    });
});

describe('renderGray percentile window', () => {
  // The histogram reads word pairs from a 4-byte boundary: the words at either alignment, odd and even counts, fewer
  // than 8 (counted one by one), the smallest value first and the largest last (with so few pixels the 1st and 99th
  // percentiles are the extremes).
  test.each([[0, 5], [2, 7], [0, 9], [2, 9], [0, 8], [2, 8], [2, 4099], [0, 4100], [6, 12]])(
    'words at byte offset %i, %i pixels: the window spans the values at the percentile ranks', (byteOffset, pixels) => {
      const random = seededRandom(byteOffset * 7 + pixels);
      // Filled in place: map() would return a copy at offset 0. Unused high bits set at random.
      const words = new Uint16Array(new ArrayBuffer(byteOffset + pixels * 2), byteOffset, pixels);
      words.forEach((_, i) => { words[i] = 100 + Math.floor(random() * 3000) + Math.floor(random() * 16) * 4096; });
      expect(words.byteOffset).toBe(byteOffset);
      words[0] = 7 + 5 * 4096;
      words[pixels - 1] = 4000;
      const stored = Array.from(words, (raw) => raw % 4096).sort((x, y) => x - y);
      const at = (percentile: number) => stored[Math.max(1, Math.ceil((percentile / 100) * pixels)) - 1];
      const { window } = renderGray({ width: pixels, height: 1, samples: words, bitsStored: 12 });
      expect(window).toEqual({ ...windowForRange(at(1), at(99)), source: 'percentile' });
    });
});

/** The PNG's scanlines as zlib stored them: filter byte, then the row. */
function inflatedScanlines(png: Buffer): Buffer {
  const idat = png.indexOf('IDAT', 8, 'latin1');
  return zlib.inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
}

/** The Sub filter, byte by byte (PNG spec 9.2). */
function referenceSub(image: RasterImage): Buffer {
  const rowBytes = image.width * image.channels;
  const out = Buffer.alloc((rowBytes + 1) * image.height);
  for (let y = 0; y < image.height; y++) {
    out[y * (rowBytes + 1)] = 1;
    for (let x = 0; x < rowBytes; x++) {
      const left = x >= image.channels ? image.data[y * rowBytes + x - image.channels] : 0;
      out[y * (rowBytes + 1) + 1 + x] = (image.data[y * rowBytes + x] - left + 256) % 256;
    }
  }
  return out;
}

describe('encodePng scanlines', () => {
  // Widths that are and are not whole 32-bit words; data that is and is not word-aligned in its buffer.
  test.each([[4, 3, 1, 0], [8, 5, 1, 4], [12, 2, 1, 1], [7, 4, 1, 0], [16, 16, 3, 0], [1, 1, 1, 0]])(
    '%ix%i, %i channel(s), data at byte offset %i: Sub-filtered byte for byte', async (width, height, channels, byteOffset) => {
      const random = seededRandom(width * 31 + byteOffset);
      const length = width * height * channels;
      const data = new Uint8Array(new ArrayBuffer(length + byteOffset), byteOffset, length);
      data.forEach((_, i) => { data[i] = Math.floor(random() * 256); }); // in place: map() would return a copy at offset 0
      const image: RasterImage = { width, height, channels: channels as 1 | 3, data };
      const png = await encodePng(image);
      expect(inflatedScanlines(png).equals(referenceSub(image))).toBe(true);
      const decoded = decodePng(png);
      expect(decoded.bitDepth === 8 && Buffer.from(decoded.image.data).equals(Buffer.from(data))).toBe(true);
    });

  test('images either side of the calling-thread deflate bound encode the same way', async () => {
    const random = seededRandom(5);
    const width = 1024;
    for (const height of [Math.floor(SYNC_DEFLATE_MAX_BYTES / (width + 1)), Math.floor(SYNC_DEFLATE_MAX_BYTES / (width + 1)) + 1]) {
      const image: RasterImage = { width, height, channels: 1, data: Uint8Array.from({ length: width * height }, () => Math.floor(random() * 16)) };
      const png = await encodePng(image);
      expect(inflatedScanlines(png).equals(referenceSub(image))).toBe(true);
    }
  });
});

describe('encodePng deflate strategy', () => {
  /** A 600x400 image of noise, with a flat border of `border` pixels (a collimated radiograph; 0: none). */
  const withBorder = (border: number): RasterImage => {
    const random = seededRandom(border + 1);
    const data = Uint8Array.from({ length: 600 * 400 }, (_, i) => {
      const x = i % 600;
      const y = Math.floor(i / 600);
      return x < border || y < border || x >= 600 - border || y >= 400 - border ? 0 : 60 + Math.floor(random() * 120);
    });
    return { width: 600, height: 400, channels: 1, data };
  };

  test.each([[0, zlib.constants.Z_HUFFMAN_ONLY], [100, zlib.constants.Z_RLE]])(
    'border of %i px: compressed with strategy %i, and decodes (pngjs) to the same pixels', async (border, strategy) => {
      const image = withBorder(border);
      const png = await encodePng(image);
      const idat = png.indexOf('IDAT', 8, 'latin1');
      const stored = png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4));
      expect(stored.equals(zlib.deflateSync(inflatedScanlines(png), { level: 3, strategy }))).toBe(true);
      const decoded = PNG.sync.read(png, { skipRescale: true });
      const gray = Uint8Array.from({ length: image.data.length }, (_, i) => decoded.data[i * 4]);
      expect(Buffer.from(gray).equals(Buffer.from(image.data))).toBe(true);
    });

  test('Huffman-only just below the documented share of sampled bytes continuing a run of three, RLE from it on', () => {
    const stride = 101; // a filter byte and 100 samples
    const rows = RUN_SAMPLE_ROW_STEP + 1; // rows 0 and RUN_SAMPLE_ROW_STEP are sampled
    const threshold = HUFFMAN_ONLY_MAX_RUN_SHARE * 2 * (stride - 1);
    const filtered = (runs: number): Uint8Array => {
      // Distinct neighbours everywhere, then `runs` bytes that repeat the two before them, split over the sampled rows;
      // runs in the unsampled rows do not count.
      const out = Uint8Array.from({ length: stride * rows }, (_, i) => i % 7);
      for (let y = 1; y < RUN_SAMPLE_ROW_STEP; y++) out.fill(9, y * stride + 1, (y + 1) * stride);
      [0, RUN_SAMPLE_ROW_STEP].forEach((y, k) => {
        const count = k === 0 ? Math.ceil(runs / 2) : Math.floor(runs / 2);
        if (count > 0) out.fill(200, y * stride + 1, y * stride + 3 + count);
      });
      return out;
    };
    expect(deflateStrategyFor(filtered(threshold - 1), stride, rows)).toBe(zlib.constants.Z_HUFFMAN_ONLY);
    expect(deflateStrategyFor(filtered(threshold), stride, rows)).toBe(zlib.constants.Z_RLE);
  });
});

/** The box mean of each output pixel, summed pixel by pixel. */
function referenceDownscale(image: RasterImage, maxDimension: number): RasterImage {
  const target = fitWithin(image.width, image.height, maxDimension);
  const bin = (i: number, source: number, size: number) => Math.floor((i * size) / source);
  const sums = new Float64Array(target.width * target.height * image.channels);
  const counts = new Float64Array(target.width * target.height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const o = bin(y, image.height, target.height) * target.width + bin(x, image.width, target.width);
      counts[o]++;
      for (let c = 0; c < image.channels; c++) sums[o * image.channels + c] += image.data[(y * image.width + x) * image.channels + c];
    }
  }
  const data = Uint8Array.from(sums, (sum, i) => Math.round(sum / counts[Math.floor(i / image.channels)]));
  return { ...target, channels: image.channels, data };
}

describe('downscaleToFit', () => {
  // Shrinking by at most 2 (bins of one or two rows and columns: gray images take the four-sample path), by more
  // (three or more) and by a prime ratio.
  test.each([[300, 200, 1, 199], [400, 300, 1, 200], [301, 199, 1, 160], [3, 1000, 1, 600], [750, 601, 1, 392],
    [300, 200, 1, 101], [257, 331, 1, 64], [97, 61, 3, 50], [1000, 3, 1, 7], [5, 1000, 1, 333]])(
    '%ix%i, %i channel(s), to %i: every pixel is the rounded box mean', (width, height, channels, maxDimension) => {
      const random = seededRandom(width + height);
      const image: RasterImage = {
        width, height, channels: channels as 1 | 3, data: Uint8Array.from({ length: width * height * channels }, () => Math.floor(random() * 256)),
      };
      const small = downscaleToFit(image, maxDimension);
      const expected = referenceDownscale(image, maxDimension);
      expect([small.width, small.height]).toEqual([expected.width, expected.height]);
      expect(Buffer.from(small.data).equals(Buffer.from(expected.data))).toBe(true);
    });
});
