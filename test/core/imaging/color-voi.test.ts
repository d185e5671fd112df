/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
import { parseDicom } from '../../../src/core/dicom/parse';
import { analysisImage } from '../../../src/core/imaging/analysis';
import { encodePng } from '../../../src/core/imaging/png-encode';
import { applySigmoid, applyWindowExact, renderGray } from '../../../src/core/imaging/render';
import { representativeFrameIndex, renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { defaultPaletteEntry, makeDicom, MakeDicomOptions, presets, seededRandom } from '../../fixtures/images';

function render(options: MakeDicomOptions) {
  return renderDicomFrame(parseDicom(makeDicom(options)));
}

describe('VOI LUT functions (PS3.3 C.11.2.1.3)', () => {
  test('SIGMOID: centre -> 127.5, one width above -> 255/(1+e^-4)', async () => {
    expect(applySigmoid(40, 40, 400)).toBe(128); // round(127.5)
    expect(applySigmoid(440, 40, 400)).toBe(Math.round(255 / (1 + Math.exp(-4))));
    expect(applySigmoid(-360, 40, 400)).toBe(Math.round(255 / (1 + Math.exp(4))));
  });

  test('LINEAR_EXACT: exact edges at c -/+ w/2', async () => {
    expect(applyWindowExact(-160, 40, 400)).toBe(0);
    expect(applyWindowExact(240, 40, 400)).toBe(255);
    expect(applyWindowExact(140, 40, 400)).toBe(Math.round(0.75 * 255));
  });

  test('the file function is applied through the renderer; MONOCHROME1 inverts it', async () => {
    const samples = new Uint16Array([40 + 1024, 440 + 1024]);
    const base = { width: 2, height: 1, samples, bitsStored: 16, rescaleIntercept: -1024, windowCenter: 40, windowWidth: 400 };
    const high = Math.round(255 / (1 + Math.exp(-4))); // 250
    expect(Array.from(renderGray({ ...base, voiLutFunction: 'SIGMOID' }).image.data)).toEqual([128, high]);
    expect(Array.from(renderGray({ ...base, voiLutFunction: 'SIGMOID', invert: true }).image.data)).toEqual([127, 255 - high]);
    const fromFile = render({
      rows: 1,
      columns: 2,
      bitsStored: 16,
      rescale: { slope: 1, intercept: -1024 },
      window: { center: 40, width: 400 },
      voiLutFunction: 'SIGMOID',
      pixelFn: (x) => (x === 0 ? 1064 : 1464),
    });
    expect(Array.from(fromFile.data)).toEqual([128, high]);
  });

  test('MONOCHROME1 renders inverted', async () => {
    const options: MakeDicomOptions = { rows: 1, columns: 2, bitsAllocated: 8, window: { center: 128, width: 256 }, pixelFn: (x) => x * 255 };
    const mono2 = render(options);
    const mono1 = render({ ...options, photometric: 'MONOCHROME1' });
    expect(Array.from(mono1.data)).toEqual(Array.from(mono2.data).map((v) => 255 - v));
  });
});

describe('colour photometrics', () => {
  const rgb = (x: number, y: number, s: number) => [x * 40, y * 50, 200 - x * 10][s];

  test.each([
    ['RGB interleaved', { photometric: 'RGB' }],
    ['RGB planar', { photometric: 'RGB', planarConfiguration: 1 }],
    ['RGB in RLE', { photometric: 'RGB', transferSyntax: 'rle' }],
    ['RGB in JPEG-LS', { photometric: 'RGB', transferSyntax: 'jpegLs' }],
    ['RGB in JPEG 2000', { photometric: 'RGB', transferSyntax: 'jpeg2000Lossless' }],
    ['RGB in HTJ2K', { photometric: 'RGB', transferSyntax: 'htj2kLossless' }],
    ['RGB in JPEG lossless', { photometric: 'RGB', transferSyntax: 'jpegLossless' }],
  ] as const)('%s renders the stored RGB', (_name, extra) => {
    const image = render({ rows: 4, columns: 6, bitsAllocated: 8, pixelFn: rgb, ...extra });
    expect(image.channels).toBe(3);
    for (let i = 0, y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let s = 0; s < 3; s++, i++) expect(image.data[i]).toBe(rgb(x, y, s));
  });

  test('YBR_FULL converts to RGB (gray axis and a known colour)', async () => {
    // Y=128,Cb=128,Cr=128 is mid gray; Y=76,Cb=85,Cr=255 is about pure red.
    const ybr = (x: number, _y: number, s: number) => (x === 0 ? [128, 128, 128][s] : [76, 85, 255][s]);
    const image = render({ rows: 1, columns: 2, bitsAllocated: 8, photometric: 'YBR_FULL', pixelFn: ybr });
    expect(Array.from(image.data.subarray(0, 3))).toEqual([128, 128, 128]);
    const [r, g, b] = image.data.subarray(3, 6);
    expect(r).toBeGreaterThan(250);
    expect(g).toBeLessThan(5);
    expect(b).toBeLessThan(5);
  });

  test('YBR_FULL_422 (native) shares chroma between pixel pairs and converts', async () => {
    const opts = presets.usYbr422();
    const image = render(opts);
    const full = render({
      ...opts,
      photometric: 'YBR_FULL',
      // What 4:2:2 keeps: chroma of the even pixel of each pair.
      pixelFn: (x, y, s, f) => opts.pixelFn!(s === 0 ? x : x - (x % 2), y, s, f),
    });
    expect(Buffer.from(image.data).equals(Buffer.from(full.data))).toBe(true);
  });

  test('YBR_FULL_422 in JPEG baseline decodes to RGB close to the source', async () => {
    const us = presets.usRgb();
    const image = render({ ...us, photometric: 'YBR_FULL_422', transferSyntax: 'jpegBaseline', jpegQuality: 95 });
    let sum = 0;
    for (let i = 0, y = 0; y < 120; y++) {
      for (let x = 0; x < 160; x++) for (let s = 0; s < 3; s++, i++) sum += Math.abs(image.data[i] - us.pixelFn!(x, y, s, 0));
    }
    expect(sum / image.data.length).toBeLessThan(8);
  });

  test.each([8, 16] as const)('PALETTE COLOR with %i-bit entries maps through the tables', async (bits) => {
    const image = render({ ...presets.palette(), palette: { bits } });
    const shift = bits === 16 ? 8 : 0;
    for (const [x, y] of [[0, 0], [10, 3], [95, 63]]) {
      const index = (x * 2 + y) % 256;
      const o = (y * 96 + x) * 3;
      for (let c = 0; c < 3; c++) expect(image.data[o + c]).toBe(defaultPaletteEntry(index, c, 256, bits) >> shift);
    }
  });

  test('PALETTE COLOR clamps indices below the first mapped value and past the end', async () => {
    const image = render({
      rows: 1,
      columns: 3,
      bitsAllocated: 8,
      photometric: 'PALETTE COLOR',
      pixelFn: (x) => [5, 10, 200][x],
      palette: { entries: 4, firstMapped: 10, bits: 8, entryFn: (i, c) => (c === 0 ? i * 60 : 0) },
    });
    expect([image.data[0], image.data[3], image.data[6]]).toEqual([0, 0, 180]);
  });
});

describe('multi-frame preview', () => {
  test('the middle frame is shown', async () => {
    expect(representativeFrameIndex(1)).toBe(0);
    expect(representativeFrameIndex(10)).toBe(5);
    // Frame f is uniformly 20 * f: the preview shows frame 5's value through the file window.
    const image = render({
      rows: 4,
      columns: 4,
      bitsAllocated: 8,
      numberOfFrames: 10,
      transferSyntax: 'rle',
      window: { center: 128, width: 256 },
      pixelFn: (_x, _y, _s, f) => 20 * f,
    });
    expect(new Set(image.data)).toEqual(new Set([100]));
  });
});

describe('analysis image bounds', () => {
  const noise = seededRandom(7);
  const noisy = { width: 1200, height: 900, channels: 1 as const, data: Uint8Array.from({ length: 1200 * 900 }, () => Math.floor(noise() * 256)) };

  test('pixel bound', async () => {
    const result = await analysisImage(noisy, { maxDimension: 600 });
    expect([result.width, result.height]).toEqual([600, 450]);
  });

  test('byte bound: a PNG over it is downscaled until it fits', async () => {
    const unbounded = await analysisImage(noisy, { maxBytes: 10_000_000 });
    expect(unbounded.png.length).toBeGreaterThan(200_000);
    const bounded = await analysisImage(noisy, { maxBytes: 200_000 });
    expect(bounded.png.length).toBeLessThanOrEqual(200_000);
    expect(bounded.width).toBeLessThan(1200);
    expect(bounded.width / bounded.height).toBeCloseTo(1200 / 900, 1);
  });

  test('the already encoded preview is reused only when the analysis copy is the same image', async () => {
    const encoding = encodePng(noisy);
    const preview = await encoding;
    expect((await analysisImage(noisy, { maxBytes: 10_000_000 }, encoding)).png).toBe(preview);
    expect((await analysisImage(noisy, { maxDimension: 600 }, encoding)).png).not.toBe(preview);
    // Over the byte bound the reused bytes are not good enough either.
    expect((await analysisImage(noisy, { maxBytes: 200_000 }, encoding)).png).not.toBe(preview);
  });

  test('a bound no image can meet is a configuration error', async () => {
    await expect(analysisImage(noisy, { maxBytes: 10 })).rejects.toThrow(RangeError);
  });
});
