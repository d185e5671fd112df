import {
  assessImageQuality,
  computeImageStatistics,
  IMAGE_QUALITY_CODE_SYSTEM,
  ImageQualityCode,
} from '../../../src/core/imaging/quality';
import { RasterImage } from '../../../src/core/imaging/raster';
import { seededRandom } from '../../fixtures/images';

function grayImage(width: number, height: number, pixelFn: (x: number, y: number) => number): RasterImage {
  const data = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++, i++) data[i] = Math.max(0, Math.min(255, Math.round(pixelFn(x, y))));
  return { width, height, channels: 1, data };
}

/** Noise with a given mean and spread (uniform in mean +/- halfRange), seeded. */
function noise(mean: number, halfRange: number, seed = 42): RasterImage {
  const random = seededRandom(seed);
  return grayImage(128, 128, () => mean + (random() * 2 - 1) * halfRange);
}

const codes = (image: RasterImage) => assessImageQuality(image, 'series/instance').map((f) => f.code);

describe('computeImageStatistics', () => {
  test('gives exact statistics for a known image', () => {
    const image = grayImage(4, 1, (x) => [0, 0, 100, 200][x]);
    const stats = computeImageStatistics(image);
    expect(stats).toMatchObject({ pixelCount: 4, mean: 75, min: 0, max: 200, p1: 0, p50: 0, p99: 200, fractionNearBlack: 0.5, fractionNearWhite: 0 });
    expect(stats.stdDev).toBeCloseTo(Math.sqrt((75 ** 2 * 2 + 25 ** 2 + 125 ** 2) / 4), 10);
  });

  test('percentiles of a full ramp', () => {
    const stats = computeImageStatistics(grayImage(256, 4, (x) => x));
    expect([stats.p1, stats.p5, stats.p50, stats.p95, stats.p99]).toEqual([2, 12, 127, 243, 253]);
    expect(stats.fractionNearWhite).toBeCloseTo(11 / 256, 10);
  });
});

describe('assessImageQuality', () => {
  test('a constant image is BLANK only, with full confidence', () => {
    const findings = assessImageQuality(grayImage(64, 64, () => 0), 'img-1');
    expect(findings).toEqual([
      { label: 'Blank or uniform image', code: ImageQualityCode.BLANK, codeSystem: IMAGE_QUALITY_CODE_SYSTEM, confidence: 1, imageRef: 'img-1' },
    ]);
  });

  test('mean 10 is UNDEREXPOSED', () => {
    const findings = assessImageQuality(noise(10, 10), 'img-2');
    expect(findings.map((f) => f.code)).toContain(ImageQualityCode.UNDEREXPOSED);
    const under = findings.find((f) => f.code === ImageQualityCode.UNDEREXPOSED)!;
    expect(under.confidence).toBeGreaterThan(0.8);
    expect(under.confidence).toBeLessThanOrEqual(1);
    expect(under.imageRef).toBe('img-2');
  });

  test('mean 245 is OVEREXPOSED', () => {
    expect(codes(noise(245, 10))).toContain(ImageQualityCode.OVEREXPOSED);
    expect(codes(noise(245, 10))).not.toContain(ImageQualityCode.UNDEREXPOSED);
  });

  test('a narrow range around mid gray is LOW_CONTRAST only', () => {
    expect(codes(noise(128, 15))).toEqual([ImageQualityCode.LOW_CONTRAST]);
  });

  test('a well-spread gradient has no findings', () => {
    expect(codes(grayImage(256, 256, (x, y) => (x + y) / 2))).toEqual([]);
  });

  test('well-spread noise has no findings', () => {
    expect(codes(noise(128, 120))).toEqual([]);
  });

  test('confidence grows with distance past the threshold', () => {
    const conf = (mean: number) => assessImageQuality(noise(mean, 5), 'x').find((f) => f.code === ImageQualityCode.UNDEREXPOSED)!.confidence;
    expect(conf(8)).toBeGreaterThan(conf(30));
    expect(conf(30)).toBeGreaterThanOrEqual(0.5);
  });

  test('thresholds can be overridden', () => {
    const image = noise(60, 50);
    expect(codes(image)).toEqual([]);
    expect(assessImageQuality(image, 'x', { underexposedMaxMean: 80 }).map((f) => f.code)).toEqual([ImageQualityCode.UNDEREXPOSED]);
  });

  test('is deterministic', () => {
    expect(assessImageQuality(noise(20, 5, 7), 'x')).toEqual(assessImageQuality(noise(20, 5, 7), 'x'));
  });

  test('refuses a colour image', () => {
    expect(() => computeImageStatistics({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) })).toThrow(RangeError);
  });
});
