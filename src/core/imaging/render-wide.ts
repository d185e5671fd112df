/**
 * Grayscale rendering of samples too wide for a lookup table indexed by the
 * stored word: 32-bit integers (e.g. RT dose) and Float / Double Float Pixel
 * Data (e.g. parametric maps). The same steps as `renderGray` (rescale, then
 * the file window with its VOI LUT Function or a 1st-99th percentile window,
 * MONOCHROME1 inverted), computed per pixel; percentiles come from a
 * fixed-size histogram between the finite minimum and maximum, so the cost is
 * three passes whatever the value range, and no copy of the frame is made
 * (modality values are recomputed in each pass rather than kept at 8 bytes a pixel).
 */
import { RasterImage } from './raster';
import {
  applySigmoid, applyWindow, applyWindowExact, DEFAULT_HIGH_PERCENTILE, DEFAULT_LOW_PERCENTILE, RenderedGray, RenderOptions, VoiWindow,
  windowForRange,
} from './render';

export interface WideGraySource {
  readonly width: number;
  readonly height: number;
  /** 32-bit words as stored (raw bit patterns), or IEEE floats. */
  readonly samples: Uint32Array | Float32Array | Float64Array;
  /** Significant low bits of each 32-bit word (ignored for floats). @default 32 */
  readonly bitsStored?: number;
  /** Two's complement 32-bit words (ignored for floats). @default false */
  readonly signed?: boolean;
  /** @default 1 */
  readonly rescaleSlope?: number;
  /** @default 0 */
  readonly rescaleIntercept?: number;
  readonly windowCenter?: number;
  readonly windowWidth?: number;
  /** @default 'LINEAR' */
  readonly voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  /** MONOCHROME1. @default false */
  readonly invert?: boolean;
}

/** Histogram bins for the percentile window: 1/65536 of the value range is finer than 8-bit display can show. */
const BINS = 65536;

/** Renders wide gray samples to an 8-bit gray image. NaN samples (allowed in OF/OD) show as the window's low end. */
export function renderGrayWide(source: WideGraySource, options: RenderOptions = {}): RenderedGray {
  const pixels = source.width * source.height;
  if (source.samples.length < pixels) throw new RangeError('samples are fewer than width * height');
  const valueAt = modalityValueOf(source);

  let window: VoiWindow;
  let display: (value: number) => number;
  const voi = source.voiLutFunction ?? 'LINEAR';
  const minimumWidth = voi === 'LINEAR' ? 1 : Number.MIN_VALUE;
  if (source.windowCenter !== undefined && source.windowWidth !== undefined && source.windowWidth >= minimumWidth) {
    const { windowCenter: center, windowWidth: width } = source;
    window = { center, width, source: 'file' };
    const fn = voi === 'LINEAR_EXACT' ? applyWindowExact : voi === 'SIGMOID' ? applySigmoid : applyWindow;
    display = (value) => fn(value, center, width);
  } else {
    const lowPercentile = options.lowPercentile ?? DEFAULT_LOW_PERCENTILE;
    const { low, high } = percentiles(valueAt, pixels, lowPercentile, options.highPercentile ?? DEFAULT_HIGH_PERCENTILE);
    // A linear map of [low, high] onto 0..255: float ranges can be far narrower than one unit.
    window = { ...windowForRange(low, high), source: 'percentile' };
    const span = high - low;
    display = span > 0 ? (value) => Math.round(Math.min(1, Math.max(0, (value - low) / span)) * 255) : (value) => (value > low ? 255 : 0);
  }

  const invert = source.invert ?? false;
  const out = options.output?.take(pixels) ?? new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const value = valueAt(i);
    const shown = Number.isNaN(value) ? 0 : display(value);
    out[i] = invert ? 255 - shown : shown;
  }
  const image: RasterImage = { width: source.width, height: source.height, channels: 1, data: out };
  return { image, window };
}

/** Modality value of pixel i: stored value (masked to BitsStored and sign extended for integers) times slope plus intercept. */
function modalityValueOf(source: WideGraySource): (i: number) => number {
  const slope = source.rescaleSlope ?? 1;
  const intercept = source.rescaleIntercept ?? 0;
  const { samples } = source;
  if (!(samples instanceof Uint32Array)) return (i) => samples[i] * slope + intercept;
  const modulus = 2 ** (source.bitsStored ?? 32);
  const half = modulus / 2;
  const signed = source.signed ?? false;
  return (i) => {
    const stored = samples[i] % modulus;
    return (signed && stored >= half ? stored - modulus : stored) * slope + intercept;
  };
}

/** Values at two percentiles of the finite values, to 1/BINS of their range (both 0 when none is finite). */
function percentiles(valueAt: (i: number) => number, pixels: number, lowPercentile: number, highPercentile: number): { low: number; high: number } {
  let min = Infinity;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < pixels; i++) {
    const v = valueAt(i);
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (finite === 0) return { low: 0, high: 0 };
  if (min === max) return { low: min, high: max };
  const scale = (BINS - 1) / (max - min);
  const counts = new Uint32Array(BINS);
  for (let i = 0; i < pixels; i++) {
    const v = valueAt(i);
    if (Number.isFinite(v)) counts[Math.floor((v - min) * scale)]++;
  }
  const lowRank = Math.max(1, Math.ceil((lowPercentile / 100) * finite));
  const highRank = Math.max(1, Math.ceil((highPercentile / 100) * finite));
  let low: number | undefined;
  let cumulative = 0;
  for (let bin = 0; bin < BINS; bin++) {
    cumulative += counts[bin];
    if (low === undefined && cumulative >= lowRank) low = min + bin / scale;
    if (cumulative >= highRank) return { low: low ?? min, high: min + bin / scale };
  }
  return { low: low ?? min, high: max };
}
