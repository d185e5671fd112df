import { downscaleToFit, fitWithin } from '../../../src/core/imaging/downscale';
import { RasterImage, toGray } from '../../../src/core/imaging/raster';
import { applyWindow, renderGray } from '../../../src/core/imaging/render';
import { seededRandom } from '../../fixtures/images';

function renderOne(values: number[], source: Partial<Parameters<typeof renderGray>[0]> = {}): number[] {
  const rendered = renderGray({ width: values.length, height: 1, samples: Int16Array.from(values), signed: true, ...source });
  return Array.from(rendered.image.data);
}

describe('renderGray with a file window', () => {
  // 16-bit signed CT, slope 1, intercept -1024, window 40/400: HU = stored - 1024.
  const ct = { bitsStored: 16, rescaleSlope: 1, rescaleIntercept: -1024, windowCenter: 40, windowWidth: 400 };

  test('maps HU 40 to mid gray, -160 to black and 240 to white', () => {
    const [mid, low, high] = renderOne([40 + 1024, -160 + 1024, 240 + 1024], ct);
    expect([127, 128]).toContain(mid);
    expect(low).toBe(0);
    expect(high).toBe(255);
  });

  test('clamps far outside the window and is monotonic inside it', () => {
    const hu = [-3000, -1000, -159, -100, 0, 100, 200, 239, 3000];
    const out = renderOne(hu.map((v) => v + 1024), ct);
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(255);
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
  });

  test('negative stored values (PixelRepresentation 1) are sign-extended from BitsStored', () => {
    // 12-bit signed stored -1024 written as a 16-bit word with garbage in the unused high bits.
    const word = 0xf000 + 0x0c00; // low 12 bits 0xC00 = -1024 in 12-bit two's complement
    const rendered = renderGray({
      width: 2,
      height: 1,
      samples: Uint16Array.from([word, 0x0c00]),
      bitsStored: 12,
      signed: true,
      windowCenter: -1024,
      windowWidth: 2,
    });
    expect(Array.from(rendered.image.data)).toEqual([255, 255]);
    expect(rendered.window.source).toBe('file');
  });

  test('MONOCHROME1 is inverted', () => {
    const normal = renderOne([1064, 864, 1264], ct);
    const inverted = renderOne([1064, 864, 1264], { ...ct, invert: true });
    expect(inverted).toEqual(normal.map((v) => 255 - v));
    expect(inverted[1]).toBe(255);
  });

  test('applyWindow follows the DICOM linear formula', () => {
    expect(applyWindow(40, 40, 400)).toBe(128);
    expect(applyWindow(-160, 40, 400)).toBe(0);
    expect(applyWindow(239, 40, 400)).toBe(255);
    expect(applyWindow(240, 40, 400)).toBe(255);
  });
});

describe('renderGray with the percentile window', () => {
  test('uses the 1st and 99th percentiles of a known distribution', () => {
    // 10000 distinct values 0..9999: p1 = 99, p99 = 9899.
    const samples = new Uint16Array(10000);
    for (let i = 0; i < samples.length; i++) samples[i] = (i * 7919) % 10000; // a permutation, not sorted
    const rendered = renderGray({ width: 100, height: 100, samples, bitsStored: 14 });
    expect(rendered.window.source).toBe('percentile');
    const valueAt = (v: number) => rendered.image.data[samples.indexOf(v)];
    expect(valueAt(0)).toBe(0);
    expect(valueAt(99)).toBe(0);
    expect(valueAt(200)).toBe(Math.round((101 / 9800) * 255));
    expect(valueAt(9899)).toBe(255);
    expect(valueAt(9800)).toBe(Math.round((9701 / 9800) * 255));
    expect(valueAt(9999)).toBe(255);
    expect(Math.abs(valueAt(4999) - 127.5)).toBeLessThanOrEqual(1);
  });

  test('a few extreme outliers do not flatten the image', () => {
    const samples = new Uint16Array(1000).map((_, i) => 1000 + (i % 100));
    samples[0] = 0;
    samples[1] = 65535;
    const rendered = renderGray({ width: 1000, height: 1, samples });
    expect(rendered.image.data[99]).toBeGreaterThan(200); // value 1097 near the top of the window
    expect(rendered.image.data[3]).toBeLessThan(10); // value 1003 near the bottom
  });

  test('percentiles are taken in modality units, with rescale applied', () => {
    const samples = Int16Array.from([-100, -50, 0, 50, 100]);
    const plain = renderGray({ width: 5, height: 1, samples, signed: true }).image.data;
    const rescaled = renderGray({ width: 5, height: 1, samples, signed: true, rescaleSlope: 2, rescaleIntercept: 500 }).image.data;
    expect(Array.from(rescaled)).toEqual(Array.from(plain));
    expect(Array.from(plain)).toEqual([0, 64, 128, 191, 255]);
  });

  test('a constant image renders without error', () => {
    const rendered = renderGray({ width: 4, height: 4, samples: new Uint16Array(16).fill(700) });
    expect(new Set(rendered.image.data).size).toBe(1);
  });
});

describe('downscaleToFit', () => {
  test('bounds a 3000x3000 image to 1568x1568 by default', () => {
    const image: RasterImage = { width: 3000, height: 3000, channels: 1, data: new Uint8Array(9_000_000).fill(77) };
    const small = downscaleToFit(image);
    expect([small.width, small.height]).toEqual([1568, 1568]);
    expect(small.data.every((v) => v === 77)).toBe(true);
  });

  test('keeps the aspect ratio and the long side at the bound', () => {
    expect(fitWithin(4000, 1000, 1024)).toEqual({ width: 1024, height: 256 });
    expect(fitWithin(600, 2400, 1024)).toEqual({ width: 256, height: 1024 });
    expect(fitWithin(800, 600, 1024)).toEqual({ width: 800, height: 600 });
  });

  test('averages areas (box filter)', () => {
    const image: RasterImage = { width: 4, height: 2, channels: 1, data: Uint8Array.from([0, 100, 200, 250, 0, 100, 200, 250]) };
    expect(Array.from(downscaleToFit(image, 2).data)).toEqual([50, 225]);
  });

  test('handles RGB per channel', () => {
    const image: RasterImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([10, 20, 30, 30, 40, 50]) };
    expect(downscaleToFit(image, 1)).toMatchObject({ width: 1, height: 1, channels: 3, data: Uint8Array.from([20, 30, 40]) });
  });

  test.each([1, 3] as const)('equals the mean of each bin at a non-integer ratio (%i channel(s))', (channels) => {
    const random = seededRandom(7);
    const data = Uint8Array.from({ length: 37 * 23 * channels }, () => Math.floor(random() * 256));
    const image: RasterImage = { width: 37, height: 23, channels, data };
    const small = downscaleToFit(image, 10);
    expect([small.width, small.height]).toEqual([10, 6]);
    // Reference: bin of source index i is floor(i * target / source), averaged directly.
    for (let by = 0; by < small.height; by++) {
      for (let bx = 0; bx < small.width; bx++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          let count = 0;
          for (let y = 0; y < image.height; y++) {
            for (let x = 0; x < image.width; x++) {
              if (Math.floor((y * small.height) / image.height) !== by || Math.floor((x * small.width) / image.width) !== bx) continue;
              sum += image.data[(y * image.width + x) * channels + c];
              count++;
            }
          }
          expect(small.data[(by * small.width + bx) * channels + c]).toBe(Math.round(sum / count));
        }
      }
    }
  });

  test('returns an image already within bounds unchanged', () => {
    const image: RasterImage = { width: 10, height: 10, channels: 1, data: new Uint8Array(100) };
    expect(downscaleToFit(image)).toBe(image);
  });
});

describe('toGray', () => {
  test('uses BT.601 luma', () => {
    const gray = toGray({ width: 3, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 100, 100, 100]) });
    expect(Array.from(gray.data)).toEqual([76, 150, 100]);
  });
});
