/**
 * VOI LUT Sequence (0028,3010), PS3.3 C.11.2.1.1: read from the file, rendered
 * exactly, and ignored (window or percentile instead) when malformed.
 */
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { ExtraElement, makeDicom, MakeDicomOptions } from '../../fixtures/images';
import { LutSpec, lutSequence, VOI_LUT_SEQUENCE } from '../../fixtures/lut-sequence';

const voiLutSequence = (spec: LutSpec): ExtraElement => lutSequence(VOI_LUT_SEQUENCE, spec);

/** A one-row 12-bit MONOCHROME2 image whose stored values are `values`. */
function image(values: readonly number[], lut: LutSpec | undefined, extra: MakeDicomOptions = {}): MakeDicomOptions {
  return {
    rows: 1,
    columns: values.length,
    bitsStored: 12,
    pixelFn: (x) => values[x],
    extraElements: lut ? [voiLutSequence(lut)] : undefined,
    ...extra,
  };
}

function pixels(options: MakeDicomOptions): number[] {
  return Array.from(renderDicomFrame(parseDicom(makeDicom(options))).data);
}

// Five entries from stored/modality value 100; 12-bit entries.
const FIVE_STEPS: LutSpec = { descriptor: [5, 100, 12], data: [0, 1000, 2000, 3000, 4095] };
const BELOW_AT_ABOVE = [0, 99, 100, 101, 102, 103, 104, 105, 4095];
// round(e * 255 / 4095) for 0, 1000, 2000, 3000, 4095 = 0, 62.27, 124.54, 186.81, 255.
const FIVE_STEPS_8BIT = [0, 0, 0, 62, 125, 187, 255, 255, 255];

describe('VOI LUT Sequence rendering', () => {
  test('a 12-bit image through a 4096-entry step function renders exactly the step values', () => {
    const step = Array.from({ length: 4096 }, (_, i) => Math.floor(i / 1024) * 21845);
    const values = Array.from({ length: 64 }, (_, i) => i * 64);
    const rendered = pixels(image(values, { descriptor: [4096, 0, 16], data: step }));
    expect(rendered).toEqual(values.map((v) => [0, 85, 170, 255][Math.floor(v / 1024)]));
  });

  test('honours the first mapped value and clamps below and above the table', () => {
    expect(pixels(image(BELOW_AT_ABOVE, FIVE_STEPS))).toEqual(FIVE_STEPS_8BIT);
  });

  test('16-bit entries scale from 0..65535', () => {
    const lut = { descriptor: [5, 100, 16], data: [0, 16384, 32768, 49152, 65535] };
    // 16384 * 255 / 65535 = 63.75, 32768 -> 127.5, 49152 -> 191.25.
    expect(pixels(image([100, 101, 102, 103, 104], lut))).toEqual([0, 64, 128, 191, 255]);
  });

  test('8-bit entries, one per 16-bit word or packed two per word, give the same pixels', () => {
    const entries = [0, 50, 100, 200, 255];
    const values = [99, 100, 101, 102, 103, 104, 200];
    const expected = [0, 0, 50, 100, 200, 255, 255];
    expect(pixels(image(values, { descriptor: [5, 100, 8], data: entries }))).toEqual(expected);
    expect(pixels(image(values, { descriptor: [5, 100, 8], packed: entries }))).toEqual(expected);
    // 8-bit entries written in the high byte of each word.
    expect(pixels(image(values, { descriptor: [5, 100, 8], data: entries.map((e) => e * 256) }))).toEqual(expected);
  });

  test('the LUT input is the modality value: rescale is applied first', () => {
    // Signed CT: HU = 2 * stored - 1024; the LUT maps HU -1000..-998, its first value written as SS.
    const options = image([10, 11, 12, 13, 500], { descriptor: [3, -1000, 8], data: [10, 20, 30], descriptorVr: 'SS' }, {
      bitsStored: 16,
      pixelRepresentation: 1,
      modality: 'CT',
      rescale: { slope: 2, intercept: -1024 },
    });
    // HU -1004, -1002, -1000, -998, -24.
    expect(pixels(options)).toEqual([10, 10, 10, 30, 30]);
  });

  test('a first mapped value written as US is read as signed when modality values can be negative', () => {
    const options = image([23, 24, 25, 26], { descriptor: [3, -1000, 8], data: [10, 20, 30] }, {
      bitsStored: 16,
      pixelRepresentation: 1,
      rescale: { slope: 1, intercept: -1024 },
    });
    expect(parseDicom(makeDicom(options)).voiLut?.firstMapped).toBe(-1000);
    expect(pixels(options)).toEqual([10, 10, 20, 30]);
  });

  test('MONOCHROME1 is inverted after the VOI LUT', () => {
    expect(pixels(image(BELOW_AT_ABOVE, FIVE_STEPS, { photometric: 'MONOCHROME1' }))).toEqual(FIVE_STEPS_8BIT.map((v) => 255 - v));
  });

  test('the file window wins over the VOI LUT when both are present', () => {
    const window = { window: { center: 2048, width: 4096 } };
    expect(pixels(image(BELOW_AT_ABOVE, FIVE_STEPS, window))).toEqual(pixels(image(BELOW_AT_ABOVE, undefined, window)));
  });

  test.each(['implicit', 'explicitBigEndian', 'deflated'] as const)('reads the same in %s transfer syntax', (transferSyntax) => {
    expect(pixels(image(BELOW_AT_ABOVE, FIVE_STEPS, { transferSyntax }))).toEqual(FIVE_STEPS_8BIT);
    const packed = { descriptor: [5, 100, 8], packed: [0, 50, 100, 200, 255] };
    expect(pixels(image([100, 101, 102, 103, 104], packed, { transferSyntax }))).toEqual([0, 50, 100, 200, 255]);
  });

  test('is not read for colour images', () => {
    const parsed = parseDicom(makeDicom(image([1, 2], FIVE_STEPS, { photometric: 'RGB', bitsAllocated: 8, bitsStored: 8 })));
    expect(parsed.voiLut).toBeUndefined();
  });
});

describe('malformed VOI LUT Sequence: ignored, never a crash', () => {
  const cases: Array<[string, ExtraElement]> = [
    ['data longer than the descriptor', voiLutSequence({ descriptor: [5, 100, 12], data: [0, 1, 2, 3, 4, 5] })],
    ['data shorter than the descriptor', voiLutSequence({ descriptor: [5, 100, 12], data: [0, 1, 2] })],
    ['no data at all', voiLutSequence({ descriptor: [5, 100, 12], data: [] })],
    ['zero bits per entry', voiLutSequence({ descriptor: [5, 100, 0], data: [0, 1, 2, 3, 4] })],
    ['17 bits per entry', voiLutSequence({ descriptor: [5, 100, 17], data: [0, 1, 2, 3, 4] })],
    ['a descriptor of two values', voiLutSequence({ descriptor: [5, 100], data: [0, 1, 2, 3, 4] })],
    ['65536 entries (0) with 5 words', voiLutSequence({ descriptor: [0, 0, 16], data: [0, 1, 2, 3, 4] })],
    ['an item without a descriptor', { tag: 0x00283010, vr: 'SQ', items: [[{ tag: 0x00283006, vr: 'OW', words: [1, 2] }]] }],
    ['an empty sequence', { tag: 0x00283010, vr: 'SQ', items: [] }],
    ['not a sequence', { tag: 0x00283010, vr: 'OB', bytes: Uint8Array.from([1, 2, 3, 4]) }],
  ];

  test.each(cases)('%s: no VOI LUT, the window is used', (_name, element) => {
    const withWindow = { ...image(BELOW_AT_ABOVE, undefined), window: { center: 300, width: 600 } };
    const parsed = parseDicom(makeDicom({ ...withWindow, extraElements: [element] }));
    expect(parsed.voiLut).toBeUndefined();
    expect(pixels({ ...withWindow, extraElements: [element] })).toEqual(pixels(withWindow));
  });

  test.each(cases)('%s: no VOI LUT and no window, the percentile window is used', (_name, element) => {
    const plain = image(BELOW_AT_ABOVE, undefined);
    expect(pixels({ ...plain, extraElements: [element] })).toEqual(pixels(plain));
  });
});
