/**
 * Grayscale rendering: stored sample values -> modality values (rescale) ->
 * VOI window or VOI LUT -> 8-bit display values, as PS3.3 C.11.2.1.2
 * (LINEAR), C.11.2.1.3 (LINEAR_EXACT, SIGMOID) and C.11.2.1.1 (VOI LUT).
 * Everything goes through one lookup table indexed by the raw stored word, so
 * masking of unused high bits, sign extension, rescale, windowing or the VOI
 * LUT, and MONOCHROME1 inversion cost one table read per pixel.
 */
import { RasterImage } from './raster';
import { ScratchBuffer } from './scratch';

/** Gray samples of any bit depth up to 16, as stored in the file. */
export interface GraySource {
  readonly width: number;
  readonly height: number;
  /** Raw stored words; signed arrays are read as their two's-complement bit patterns. */
  readonly samples: Uint8Array | Int8Array | Uint16Array | Int16Array;
  /** Significant low bits of each word. @default 8 or 16 (the array's element size) */
  readonly bitsStored?: number;
  /** Two's complement (PixelRepresentation 1). @default false */
  readonly signed?: boolean;
  /**
   * Modality LUT (the first item of the file's Modality LUT Sequence): stored
   * values to modality values, in place of rescale slope and intercept, which
   * are then ignored. @default none
   */
  readonly modalityLut?: LutTable;
  /** @default 1 */
  readonly rescaleSlope?: number;
  /** @default 0 */
  readonly rescaleIntercept?: number;
  /** Window centre in modality units (after rescale), e.g. the file's (0028,1050). */
  readonly windowCenter?: number;
  /** Window width in modality units; used only together with windowCenter and when >= 1. */
  readonly windowWidth?: number;
  /** MONOCHROME1: low values are white. @default false */
  readonly invert?: boolean;
  /** VOI LUT Function (0028,1056) applied with the source's window; a percentile window is always LINEAR. @default 'LINEAR' */
  readonly voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  /**
   * A VOI LUT (e.g. the first item of the file's VOI LUT Sequence), used when
   * there is no usable window: the standard lets the application choose when
   * both are present, and the window is kept. @default none
   */
  readonly voiLut?: LutTable;
}

/** A lookup table (PS3.3 C.11.1 Modality LUT, C.11.2.1.1 VOI LUT): inputs from firstMapped on, outputs 0..2^bits - 1. */
export interface LutTable {
  /** Input value of entry 0; lower values take entry 0, values past the end the last entry. */
  readonly firstMapped: number;
  /** 1 to 65536 entries. */
  readonly entries: ArrayLike<number>;
  /** Bits per entry, 1..16; larger entries are clamped. */
  readonly bits: number;
}

export interface RenderOptions {
  /** Lower percentile of the automatic window. @default 1 */
  readonly lowPercentile?: number;
  /** Upper percentile of the automatic window. @default 99 */
  readonly highPercentile?: number;
  /** Where the 8-bit image is written (it then lives until the buffer's next use). @default a new buffer */
  readonly output?: ScratchBuffer;
}

export interface VoiWindow {
  readonly center: number;
  readonly width: number;
  /**
   * 'file' when the source gave a window; 'voi-lut' when its VOI LUT was
   * applied (centre and width then span the LUT's input range); else 'percentile'.
   */
  readonly source: 'file' | 'percentile' | 'voi-lut';
}

export interface RenderedGray {
  readonly image: RasterImage;
  readonly window: VoiWindow;
}

export const DEFAULT_LOW_PERCENTILE = 1;
export const DEFAULT_HIGH_PERCENTILE = 99;

/** The DICOM linear VOI function for one modality value, to 0..255. */
export function applyWindow(value: number, center: number, width: number): number {
  const c = center - 0.5;
  const halfSpan = (width - 1) / 2;
  if (value <= c - halfSpan) return 0;
  if (value > c + halfSpan) return 255;
  return Math.round(((value - c) / (width - 1) + 0.5) * 255);
}

/** LINEAR_EXACT (PS3.3 C.11.2.1.3.2): the window without the half-unit offsets of LINEAR. */
export function applyWindowExact(value: number, center: number, width: number): number {
  if (value <= center - width / 2) return 0;
  if (value > center + width / 2) return 255;
  return Math.round(((value - center) / width + 0.5) * 255);
}

/** SIGMOID (PS3.3 C.11.2.1.3.1): 255 / (1 + exp(-4 (x - c) / w)). */
export function applySigmoid(value: number, center: number, width: number): number {
  return Math.round(255 / (1 + Math.exp((-4 * (value - center)) / width)));
}

/** The window that maps modality value `low` to 0 and `high` to 255. */
export function windowForRange(low: number, high: number): { center: number; width: number } {
  return { center: (low + high) / 2 + 0.5, width: high - low + 1 };
}

/** Renders gray samples to an 8-bit gray image. */
export function renderGray(source: GraySource, options: RenderOptions = {}): RenderedGray {
  const words = unsignedView(source.samples);
  const wordBits = words.BYTES_PER_ELEMENT * 8;
  const bitsStored = source.bitsStored ?? wordBits;
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > wordBits) {
    throw new RangeError('bitsStored must be between 1 and the sample word size');
  }
  const pixels = source.width * source.height;
  if (words.length < pixels) throw new RangeError('samples are fewer than width * height');

  const slope = source.rescaleSlope ?? 1;
  const intercept = source.rescaleIntercept ?? 0;
  const storedOf = storedValueTable(wordBits, bitsStored, source.signed ?? false);
  // A Modality LUT is tabulated once per raw word; rescale is computed where needed.
  const modalityTable = source.modalityLut ? modalityLutTable(storedOf, source.modalityLut) : undefined;
  const modalityOf = (raw: number): number => (modalityTable ? modalityTable[raw] : storedOf[raw] * slope + intercept);

  let window: VoiWindow;
  const voi = source.voiLutFunction ?? 'LINEAR';
  const minimumWidth = voi === 'LINEAR' ? 1 : Number.MIN_VALUE;
  let display: (modality: number) => number;
  /** Set when the display function is applyWindow with this window: the LUT then has a fast path. */
  let linearWindow: { center: number; width: number } | undefined;
  if (source.windowCenter !== undefined && source.windowWidth !== undefined && source.windowWidth >= minimumWidth) {
    const { windowCenter: center, windowWidth: width } = source;
    window = { center, width, source: 'file' };
    const fn = voi === 'LINEAR_EXACT' ? applyWindowExact : voi === 'SIGMOID' ? applySigmoid : applyWindow;
    display = (modality) => fn(modality, center, width);
    if (fn === applyWindow) linearWindow = { center, width };
  } else if (source.voiLut) {
    display = voiLutDisplay(source.voiLut);
    const last = source.voiLut.firstMapped + source.voiLut.entries.length - 1;
    window = { ...windowForRange(source.voiLut.firstMapped, last), source: 'voi-lut' };
  } else {
    const lowPercentile = options.lowPercentile ?? DEFAULT_LOW_PERCENTILE;
    const highPercentile = options.highPercentile ?? DEFAULT_HIGH_PERCENTILE;
    let a: number;
    let b: number;
    if (modalityTable) {
      // A table need not be monotonic: rank the modality values themselves.
      ({ low: a, high: b } = modalityPercentileRange(words, pixels, modalityTable, lowPercentile, highPercentile));
    } else {
      const range = percentileRange(words, pixels, storedOf, bitsStored, source.signed ?? false, lowPercentile, highPercentile);
      a = range.low * slope + intercept;
      b = range.high * slope + intercept;
    }
    const { center, width } = windowForRange(Math.min(a, b), Math.max(a, b));
    window = { center, width, source: 'percentile' };
    display = (modality) => applyWindow(modality, center, width);
    linearWindow = { center, width };
  }

  const invert = source.invert ?? false;
  const lut = linearWindow && !modalityTable
    ? linearWindowLut(storedOf.length, bitsStored, source.signed ?? false, slope, intercept, linearWindow, invert)
    : displayLut(storedOf.length, 2 ** bitsStored, (raw) => display(modalityOf(raw)), invert);
  const out = options.output?.take(pixels) ?? new Uint8Array(pixels);
  lookUp(words, lut, out, pixels);
  return { image: { width: source.width, height: source.height, channels: 1, data: out }, window };
}

/**
 * The LUT for raw words 0..length - 1. A word's stored value depends only on
 * its low bitsStored bits, so the entries for the first 2^bitsStored words are
 * computed and then repeated over the unused high bits (16 times for 12 bits stored).
 */
function displayLut(length: number, modulus: number, displayOf: (raw: number) => number, invert: boolean): Uint8Array {
  const lut = new Uint8Array(length);
  const distinct = Math.min(length, modulus);
  for (let raw = 0; raw < distinct; raw++) {
    const value = displayOf(raw);
    lut[raw] = invert ? 255 - value : value;
  }
  return repeatLut(lut, distinct);
}

/**
 * displayLut for rescale and the LINEAR window, without a call per entry:
 * rendering a CT slice spent most of its time building its 65,536 entries.
 * Over each run of raw words whose stored value grows by one per word (two runs
 * when signed), the display value is monotonic in the word (rescale, the window,
 * rounding and inversion each preserve order), so where both ends of a run agree
 * every entry between agrees too: those are filled, and only the window's
 * ramp is computed, entry by entry, with applyWindow's arithmetic in its order
 * (the same bytes as displayLut).
 */
function linearWindowLut(length: number, bitsStored: number, signed: boolean, slope: number, intercept: number,
  window: { center: number; width: number }, invert: boolean): Uint8Array {
  const lut = new Uint8Array(length);
  const modulus = 2 ** bitsStored;
  const half = modulus / 2;
  const c = window.center - 0.5;
  const halfSpan = (window.width - 1) / 2;
  const lowEdge = c - halfSpan;
  const highEdge = c + halfSpan;
  const span = window.width - 1;
  const displayOf = (raw: number): number => {
    const value = (signed && raw >= half ? raw - modulus : raw) * slope + intercept;
    const display = value <= lowEdge ? 0 : value > highEdge ? 255 : Math.round(((value - c) / span + 0.5) * 255);
    return invert ? 255 - display : display;
  };
  if (signed) {
    fillMonotonic(lut, 0, half, displayOf);
    fillMonotonic(lut, half, modulus, displayOf);
  } else {
    fillMonotonic(lut, 0, modulus, displayOf);
  }
  return repeatLut(lut, modulus);
}

/** Entries from..to - 1 of a table that is monotonic there: halves until the ends agree (then fills) or the run is short. */
function fillMonotonic(lut: Uint8Array, from: number, to: number, displayOf: (raw: number) => number): void {
  const first = displayOf(from);
  if (first === displayOf(to - 1)) {
    lut.fill(first, from, to);
  } else if (to - from <= 32) {
    for (let raw = from; raw < to; raw++) lut[raw] = displayOf(raw);
  } else {
    const middle = Math.floor((from + to) / 2);
    fillMonotonic(lut, from, middle, displayOf);
    fillMonotonic(lut, middle, to, displayOf);
  }
}

/** Copies entries 0..period - 1 over the rest of the table. */
function repeatLut(lut: Uint8Array, period: number): Uint8Array {
  for (let start = period; start < lut.length; start += period) lut.copyWithin(start, 0, period);
  return lut;
}

/* eslint-disable no-bitwise -- the pixel passes move words and bytes 32 bits at a time */
/**
 * The per-pixel pass, in a function of its own: the JIT optimizes this one
 * loop once and keeps it, whatever the rest of renderGray does from image to image.
 */
function lookUp(words: Uint8Array | Uint16Array, lut: Uint8Array, out: Uint8Array, pixels: number): void {
  let done = 0;
  if (words instanceof Uint16Array && LITTLE_ENDIAN && out.byteOffset % 4 === 0 && pixels >= 8) {
    done = words.byteOffset % 4 === 0 ? lookUpWordPairs(words, lut, out, pixels) : lookUpShiftedWordPairs(words, lut, out, pixels);
  }
  for (let i = done; i < pixels; i++) out[i] = lut[words[i]];
}

/**
 * lookUp four pixels a step, for words starting on a 4-byte boundary: two
 * 32-bit reads of word pairs, one 32-bit write of four display bytes (half
 * the memory operations of the plain loop). Returns the pixels done.
 */
function lookUpWordPairs(words: Uint16Array, lut: Uint8Array, out: Uint8Array, pixels: number): number {
  const pairs = new Uint32Array(words.buffer, words.byteOffset, pixels >>> 1);
  const quads = new Uint32Array(out.buffer, out.byteOffset, pixels >>> 2);
  for (let q = 0, p = 0; q < quads.length; q++, p += 2) {
    const a = pairs[p];
    const b = pairs[p + 1];
    quads[q] = lut[a & 0xffff] | (lut[a >>> 16] << 8) | (lut[b & 0xffff] << 16) | (lut[b >>> 16] << 24);
  }
  return quads.length * 4;
}

/**
 * lookUpWordPairs for words two bytes past a 4-byte boundary (pixel data at an
 * offset of 2 mod 4 in the file, as often as not): the 32-bit reads start two
 * bytes before the first word, inside the same buffer, whose high half is
 * pixel 0; each read then holds the high word of one pixel pair and the low
 * word of the next. The last read ends within the words.
 */
function lookUpShiftedWordPairs(words: Uint16Array, lut: Uint8Array, out: Uint8Array, pixels: number): number {
  const quads = new Uint32Array(out.buffer, out.byteOffset, Math.floor((pixels - 1) / 4));
  const pairs = new Uint32Array(words.buffer, words.byteOffset - 2, 2 * quads.length + 1);
  let a = pairs[0];
  for (let q = 0, p = 1; q < quads.length; q++, p += 2) {
    const b = pairs[p];
    const c = pairs[p + 1];
    quads[q] = lut[a >>> 16] | (lut[b & 0xffff] << 8) | (lut[b >>> 16] << 16) | (lut[c & 0xffff] << 24);
    a = c;
  }
  return quads.length * 4;
}

/** Byte order of this machine's typed arrays (lookUp reads words and writes bytes 32 bits at a time). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/* eslint-enable no-bitwise */

/**
 * Modality value -> 0..255 through a VOI LUT: the input is rounded to the
 * nearest integer (a rescale can give fractions), clamped to the table, and
 * the entry scaled from 0..2^bits - 1. The 8-bit table is built once.
 */
function voiLutDisplay(voiLut: LutTable): (modality: number) => number {
  assertLutTable(voiLut, 'VOI');
  const count = voiLut.entries.length;
  const { bits, firstMapped } = voiLut;
  const max = 2 ** bits - 1;
  const scaled = new Uint8Array(count);
  for (let i = 0; i < count; i++) scaled[i] = Math.round((Math.min(max, Math.max(0, voiLut.entries[i])) * 255) / max);
  return (modality) => {
    const index = Math.round(modality) - firstMapped;
    return scaled[index < 0 ? 0 : index >= count ? count - 1 : index];
  };
}

function assertLutTable(table: LutTable, kind: 'Modality' | 'VOI'): void {
  if (table.entries.length < 1 || table.entries.length > 65536) throw new RangeError(`a ${kind} LUT has 1 to 65536 entries`);
  if (!Number.isInteger(table.bits) || table.bits < 1 || table.bits > 16) throw new RangeError(`${kind} LUT bits must be between 1 and 16`);
  if (!Number.isFinite(table.firstMapped)) throw new RangeError(`${kind} LUT first mapped value must be finite`);
}

function unsignedView(samples: GraySource['samples']): Uint8Array | Uint16Array {
  if (samples instanceof Int8Array) return new Uint8Array(samples.buffer, samples.byteOffset, samples.length);
  if (samples instanceof Int16Array) return new Uint16Array(samples.buffer, samples.byteOffset, samples.length);
  return samples;
}

/** The last table built: consecutive images (the slices of a series) share the layout. Never written after it is built. */
let lastStoredTable: { readonly key: string; readonly table: Int32Array } | undefined;

/** Stored value of every raw word: unused high bits dropped, sign extended when signed. */
function storedValueTable(wordBits: number, bitsStored: number, signed: boolean): Int32Array {
  const key = `${wordBits}/${bitsStored}/${signed}`;
  if (lastStoredTable?.key === key) return lastStoredTable.table;
  const table = new Int32Array(2 ** wordBits);
  const modulus = 2 ** bitsStored;
  const half = modulus / 2;
  for (let raw = 0; raw < table.length; raw++) {
    const stored = raw % modulus;
    table[raw] = signed && stored >= half ? stored - modulus : stored;
  }
  lastStoredTable = { key, table };
  return table;
}

/**
 * Stored values at two percentiles, from a histogram (one pass over the
 * pixels, then a walk over at most 2^bitsStored bins) rather than a sort.
 */
/** Modality value of every raw word through a Modality LUT (PS3.3 C.11.1): clamped to the table and to its output range. */
function modalityLutTable(storedOf: Int32Array, table: LutTable): Float64Array {
  assertLutTable(table, 'Modality');
  const out = new Float64Array(storedOf.length);
  const last = table.entries.length - 1;
  const max = 2 ** table.bits - 1;
  for (let raw = 0; raw < out.length; raw++) {
    const index = storedOf[raw] - table.firstMapped;
    out[raw] = Math.min(max, Math.max(0, table.entries[index < 0 ? 0 : index > last ? last : index]));
  }
  return out;
}

/** Modality values at two percentiles, ranking the distinct raw words present by their modality value. */
function modalityPercentileRange(words: Uint8Array | Uint16Array, pixels: number, modalityOf: Float64Array,
  lowPercentile: number, highPercentile: number): { low: number; high: number } {
  const counts = countWords(words, pixels, modalityOf.length);
  const present: number[] = [];
  for (let raw = 0; raw < counts.length; raw++) if (counts[raw] !== 0) present.push(raw);
  present.sort((x, y) => modalityOf[x] - modalityOf[y]);
  return valuesAtPercentiles(present.map((raw) => [modalityOf[raw], counts[raw]] as const), pixels, lowPercentile, highPercentile);
}

/**
 * The values at two percentiles of a distribution given as (value, count)
 * pairs in ascending order of value: the first value whose cumulative count
 * reaches each rank.
 */
function valuesAtPercentiles(ordered: Iterable<readonly [value: number, count: number]>, pixels: number,
  lowPercentile: number, highPercentile: number): { low: number; high: number } {
  const lowRank = Math.max(1, Math.ceil((lowPercentile / 100) * pixels));
  const highRank = Math.max(1, Math.ceil((highPercentile / 100) * pixels));
  let low: number | undefined;
  let high: number | undefined;
  let cumulative = 0;
  for (const [value, count] of ordered) {
    cumulative += count;
    low ??= cumulative >= lowRank ? value : undefined;
    if (cumulative >= highRank) { high = value; break; }
  }
  return { low: low ?? 0, high: high ?? low ?? 0 };
}

/** How often each raw word occurs (the per-pixel pass, kept in its own function like lookUp). */
function countWords(words: Uint8Array | Uint16Array, pixels: number, wordValues: number): Uint32Array {
  const counts = new Uint32Array(wordValues);
  let counted = 0;
  if (words instanceof Uint16Array && pixels >= 8) {
    // Words 2 bytes past a 4-byte boundary: the first alone, the rest in aligned pairs.
    const first = words.byteOffset % 4 === 0 ? 0 : 1;
    if (first === 1) counts[words[0]]++;
    counted = first + countWordPairs(new Uint32Array(words.buffer, words.byteOffset + 2 * first, Math.floor((pixels - first) / 2)), counts);
  }
  for (let i = counted; i < pixels; i++) counts[words[i]]++;
  return counts;
}

/* eslint-disable no-bitwise -- two words per 32-bit read */
/**
 * Adds each half of every pair to the counts: half the reads of a word-by-word
 * pass, and the high halves go to a second table, so two increments in a row
 * never wait on the same entry (equal neighbours are common). Which half is
 * which pixel does not matter for a count, so the byte order does not either.
 * Returns the words counted.
 */
function countWordPairs(pairs: Uint32Array, counts: Uint32Array): number {
  const highCounts = new Uint32Array(counts.length);
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    counts[pair & 0xffff]++;
    highCounts[pair >>> 16]++;
  }
  for (let word = 0; word < counts.length; word++) counts[word] += highCounts[word];
  return pairs.length * 2;
}
/* eslint-enable no-bitwise */

function percentileRange(words: Uint8Array | Uint16Array, pixels: number, storedOf: Int32Array,
  bitsStored: number, signed: boolean, lowPercentile: number, highPercentile: number): { low: number; high: number } {
  const rawHistogram = countWords(words, pixels, storedOf.length);

  const minStored = signed ? -(2 ** (bitsStored - 1)) : 0;
  const histogram = new Float64Array(2 ** bitsStored);
  for (let raw = 0; raw < rawHistogram.length; raw++) {
    if (rawHistogram[raw] !== 0) histogram[storedOf[raw] - minStored] += rawHistogram[raw];
  }

  return valuesAtPercentiles(storedBins(histogram, minStored), pixels, lowPercentile, highPercentile);
}

/** The non-empty bins of a stored-value histogram as (stored value, count), ascending. */
function* storedBins(histogram: Float64Array, minStored: number): Generator<readonly [number, number]> {
  for (let bin = 0; bin < histogram.length; bin++) if (histogram[bin] !== 0) yield [bin + minStored, histogram[bin]];
}
