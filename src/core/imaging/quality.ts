/**
 * Offline, deterministic image-quality check (`Analyzer.imageQuality()`):
 * statistics of an 8-bit gray image and findings when they cross thresholds.
 */
import { RasterImage } from './raster';
import { AnalyzerFinding } from '../../shared/analyzer-result';

export const IMAGE_QUALITY_CODE_SYSTEM = 'urn:cdk-medical-imaging-pipeline:image-quality';

export const ImageQualityCode = {
  BLANK: 'IQ-BLANK',
  UNDEREXPOSED: 'IQ-UNDEREXPOSED',
  OVEREXPOSED: 'IQ-OVEREXPOSED',
  LOW_CONTRAST: 'IQ-LOW-CONTRAST',
} as const;
export type ImageQualityCodeValue = (typeof ImageQualityCode)[keyof typeof ImageQualityCode];

/** Standard deviation below which the image is considered uniform (no content). */
export const DEFAULT_BLANK_MAX_STD_DEV = 2;
/** Mean gray level below which the image is underexposed. */
export const DEFAULT_UNDEREXPOSED_MAX_MEAN = 40;
/** Mean gray level above which the image is overexposed. */
export const DEFAULT_OVEREXPOSED_MIN_MEAN = 215;
/** 1st-99th percentile spread below which contrast is too low. */
export const DEFAULT_LOW_CONTRAST_MAX_RANGE = 64;
/** Gray level at or below which a pixel counts as near-black. */
export const DEFAULT_NEAR_BLACK_LEVEL = 10;
/** Gray level at or above which a pixel counts as near-white. */
export const DEFAULT_NEAR_WHITE_LEVEL = 245;

export interface ImageQualityOptions {
  /** @default DEFAULT_BLANK_MAX_STD_DEV */
  readonly blankMaxStdDev?: number;
  /** @default DEFAULT_UNDEREXPOSED_MAX_MEAN */
  readonly underexposedMaxMean?: number;
  /** @default DEFAULT_OVEREXPOSED_MIN_MEAN */
  readonly overexposedMinMean?: number;
  /** @default DEFAULT_LOW_CONTRAST_MAX_RANGE */
  readonly lowContrastMaxRange?: number;
  /** @default DEFAULT_NEAR_BLACK_LEVEL */
  readonly nearBlackLevel?: number;
  /** @default DEFAULT_NEAR_WHITE_LEVEL */
  readonly nearWhiteLevel?: number;
}

export interface ImageStatistics {
  readonly pixelCount: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly min: number;
  readonly max: number;
  readonly p1: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly fractionNearBlack: number;
  readonly fractionNearWhite: number;
}

/** Statistics of an 8-bit gray image from one histogram pass. */
export function computeImageStatistics(image: RasterImage, options: ImageQualityOptions = {}): ImageStatistics {
  if (image.channels !== 1) throw new RangeError('image quality statistics need a gray image');
  const pixelCount = image.width * image.height;
  if (pixelCount === 0) throw new RangeError('image has no pixels');
  const histogram = new Float64Array(256);
  const data = image.data;
  for (let i = 0; i < pixelCount; i++) histogram[data[i]]++;

  let sum = 0;
  let sumOfSquares = 0;
  let min = 255;
  let max = 0;
  for (let level = 0; level < 256; level++) {
    const count = histogram[level];
    if (count === 0) continue;
    sum += count * level;
    sumOfSquares += count * level * level;
    min = Math.min(min, level);
    max = Math.max(max, level);
  }
  const mean = sum / pixelCount;
  const variance = Math.max(0, sumOfSquares / pixelCount - mean * mean);
  const nearBlackLevel = options.nearBlackLevel ?? DEFAULT_NEAR_BLACK_LEVEL;
  const nearWhiteLevel = options.nearWhiteLevel ?? DEFAULT_NEAR_WHITE_LEVEL;
  let nearBlack = 0;
  let nearWhite = 0;
  for (let level = 0; level < 256; level++) {
    if (level <= nearBlackLevel) nearBlack += histogram[level];
    if (level >= nearWhiteLevel) nearWhite += histogram[level];
  }
  return {
    pixelCount,
    mean,
    stdDev: Math.sqrt(variance),
    min,
    max,
    p1: percentile(histogram, pixelCount, 1),
    p5: percentile(histogram, pixelCount, 5),
    p50: percentile(histogram, pixelCount, 50),
    p95: percentile(histogram, pixelCount, 95),
    p99: percentile(histogram, pixelCount, 99),
    fractionNearBlack: nearBlack / pixelCount,
    fractionNearWhite: nearWhite / pixelCount,
  };
}

/** Smallest level whose cumulative count reaches the percentile's rank. */
function percentile(histogram: Float64Array, pixelCount: number, percent: number): number {
  const rank = Math.max(1, Math.ceil((percent / 100) * pixelCount));
  let cumulative = 0;
  for (let level = 0; level < 256; level++) {
    cumulative += histogram[level];
    if (cumulative >= rank) return level;
  }
  return 255;
}

/**
 * Confidence for a statistic past its threshold: 0.5 at the threshold, rising
 * linearly to 1 at `extreme` (the most extreme value the statistic can take).
 */
function confidencePast(value: number, threshold: number, extreme: number): number {
  const span = Math.abs(extreme - threshold);
  const past = span === 0 ? 1 : Math.min(1, Math.abs(value - threshold) / span);
  return Math.round((0.5 + 0.5 * past) * 1000) / 1000;
}

/**
 * Image-quality findings for an 8-bit gray image. A blank image yields only
 * BLANK (exposure and contrast are meaningless without content); otherwise
 * UNDEREXPOSED / OVEREXPOSED (mean) and LOW_CONTRAST (1st-99th percentile
 * spread) are independent. Deterministic: same pixels, same findings.
 */
export function assessImageQuality(image: RasterImage, imageRef: string, options: ImageQualityOptions = {}): AnalyzerFinding[] {
  const stats = computeImageStatistics(image, options);
  const blankMaxStdDev = options.blankMaxStdDev ?? DEFAULT_BLANK_MAX_STD_DEV;
  const underexposedMaxMean = options.underexposedMaxMean ?? DEFAULT_UNDEREXPOSED_MAX_MEAN;
  const overexposedMinMean = options.overexposedMinMean ?? DEFAULT_OVEREXPOSED_MIN_MEAN;
  const lowContrastMaxRange = options.lowContrastMaxRange ?? DEFAULT_LOW_CONTRAST_MAX_RANGE;

  const finding = (label: string, code: ImageQualityCodeValue, confidence: number): AnalyzerFinding =>
    ({ label, code, codeSystem: IMAGE_QUALITY_CODE_SYSTEM, confidence, imageRef });

  if (stats.stdDev < blankMaxStdDev) {
    return [finding('Blank or uniform image', ImageQualityCode.BLANK, confidencePast(stats.stdDev, blankMaxStdDev, 0))];
  }
  const findings: AnalyzerFinding[] = [];
  if (stats.mean < underexposedMaxMean) {
    findings.push(finding('Underexposed image', ImageQualityCode.UNDEREXPOSED, confidencePast(stats.mean, underexposedMaxMean, 0)));
  }
  if (stats.mean > overexposedMinMean) {
    findings.push(finding('Overexposed image', ImageQualityCode.OVEREXPOSED, confidencePast(stats.mean, overexposedMinMean, 255)));
  }
  const spread = stats.p99 - stats.p1;
  if (spread < lowContrastMaxRange) {
    findings.push(finding('Low contrast image', ImageQualityCode.LOW_CONTRAST, confidencePast(spread, lowContrastMaxRange, 0)));
  }
  return findings;
}
