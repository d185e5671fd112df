/**
 * Segmented Palette Color Lookup Table Data (PS3.3 C.7.9.2): expansion checked
 * against tables computed by hand, rendering against the equivalent plain
 * palette, and malformed data refused quickly with a typed rejection.
 */
import { DicomRejection } from '../../../src/core/dicom/errors';
import { parseDicom } from '../../../src/core/dicom/parse';
import { expandSegmentedLut } from '../../../src/core/dicom/segmented-palette';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { ExtraElement, makeDicom, MakeDicomOptions } from '../../fixtures/images';

// Red: discrete (0, 1000, 2000); linear to 6000 in 4; indirect copying both (byte offset 0); discrete (65535, 65535).
const RED_SEGMENTS = [0, 3, 0, 1000, 2000, 1, 4, 6000, 2, 2, 0, 0, 0, 2, 65535, 65535];
const RED = [0, 1000, 2000, 3000, 4000, 5000, 6000, 0, 1000, 2000, 3000, 4000, 5000, 6000, 65535, 65535];
// Green: discrete (0, 500); linear down to 200 in 3; indirect copying both; indirect copying the linear one
// (byte offset 8 = word 4), which now starts from 200; linear up to 65535 in 3.
const GREEN_SEGMENTS = [0, 2, 0, 500, 1, 3, 200, 2, 2, 0, 0, 2, 1, 8, 0, 1, 3, 65535];
// 200 + 65335 / 3 = 21978.3, 200 + 2 * 65335 / 3 = 43756.7.
const GREEN = [0, 500, 400, 300, 200, 0, 500, 400, 300, 200, 200, 200, 200, 21978, 43757, 65535];
// Blue: one discrete segment.
const BLUE = Array.from({ length: 16 }, (_, i) => i * 4369);
const BLUE_SEGMENTS = [0, 16, ...BLUE];

function rejectionOf(fn: () => unknown): DicomRejection {
  try {
    fn();
  } catch (e) {
    if (e instanceof DicomRejection) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** A 4x4 8-bit PALETTE COLOR image whose pixels are the indices 0..15 (plus `firstMapped`). */
function paletteImage(firstMapped: number): MakeDicomOptions {
  return { rows: 4, columns: 4, bitsAllocated: 8, photometric: 'PALETTE COLOR', pixelFn: (x, y) => y * 4 + x + firstMapped };
}

/** That image with these segmented tables instead of plain ones. */
function segmentedImage(channels: ReadonlyArray<readonly number[] | Uint8Array>, extra: MakeDicomOptions = {}): MakeDicomOptions {
  const firstMapped = extra.palette?.firstMapped ?? 0;
  const segmented: ExtraElement[] = channels.map((data, c) => (data instanceof Uint8Array
    ? { tag: 0x00281221 + c, vr: 'OW', bytes: data }
    : { tag: 0x00281221 + c, vr: 'OW', words: data }));
  return {
    ...paletteImage(firstMapped),
    palette: { entries: 16, bits: 16 },
    omitTags: [0x00281201, 0x00281202, 0x00281203],
    extraElements: segmented,
    ...extra,
  };
}

function plainImage(tables: ReadonlyArray<readonly number[]>, extra: MakeDicomOptions = {}): MakeDicomOptions {
  const firstMapped = extra.palette?.firstMapped ?? 0;
  return {
    ...paletteImage(firstMapped),
    ...extra,
    palette: { entries: 16, bits: 16, ...extra.palette, entryFn: (i, c) => tables[c][i] },
  };
}

function rgb(options: MakeDicomOptions): number[] {
  return Array.from(renderDicomFrame(parseDicom(makeDicom(options))).data);
}

describe('expandSegmentedLut', () => {
  test('discrete, linear and indirect segments expand to the table computed by hand', () => {
    expect(Array.from(expandSegmentedLut(RED_SEGMENTS, 16))).toEqual(RED);
    expect(Array.from(expandSegmentedLut(GREEN_SEGMENTS, 16))).toEqual(GREEN);
    expect(Array.from(expandSegmentedLut(BLUE_SEGMENTS, 16))).toEqual(BLUE);
  });

  test('8-bit units: the indirect offset is four bytes, least significant first', () => {
    // discrete (10, 20); linear to 50 in 3; indirect copying the discrete one at byte offset 0.
    const units = [0, 2, 10, 20, 1, 3, 50, 2, 1, 0, 0, 0, 0];
    expect(Array.from(expandSegmentedLut(units, 7, 1))).toEqual([10, 20, 30, 40, 50, 10, 20]);
  });

  test('a single trailing unit is padding', () => {
    expect(Array.from(expandSegmentedLut([0, 2, 7, 8, 0], 2))).toEqual([7, 8]);
  });

  const malformed: Array<[string, number[], number, RegExp]> = [
    ['an indirect segment copying itself', [0, 1, 5, 2, 1, 6, 0], 4, /copies an indirect segment/],
    ['two indirect segments copying each other', [0, 1, 5, 2, 1, 14, 0, 2, 1, 6, 0], 4, /copies an indirect segment/],
    ['an indirect segment pointing into a segment', [0, 2, 5, 6, 2, 1, 2, 0], 4, /does not point at a segment/],
    ['an indirect segment pointing past the end', [0, 1, 5, 2, 1, 0xfffe, 0xffff], 2, /does not point at a segment/],
    ['an indirect segment at an odd byte offset', [0, 1, 5, 2, 1, 1, 0], 2, /odd byte offset/],
    ['a linear segment first', [1, 4, 100], 4, /starts with a linear segment/],
    ['an unknown segment type', [0, 1, 5, 3, 1, 0], 2, /unknown segment type/],
    ['a segment running past the data', [0, 10, 1, 2, 3], 10, /running past its end/],
    ['an expansion longer than the descriptor', [0, 3, 1, 2, 3], 2, /past its descriptor's entry count/],
    ['an expansion shorter than the descriptor', [0, 3, 1, 2, 3], 4, /shorter than its descriptor/],
  ];

  test.each(malformed)('%s is INVALID_DICOM', (_name, units, entries, message) => {
    const rejection = rejectionOf(() => expandSegmentedLut(units, entries));
    expect(rejection.reasonCode).toBe('INVALID_DICOM');
    expect(rejection.message).toMatch(message);
  });

  test('repeated indirect copies cannot expand beyond the descriptor: the guard refuses them', () => {
    // 100 entries, then 50,000 indirect segments each copying them again: 5,000,100 entries if unbounded.
    const units = [0, 100, ...Array.from({ length: 100 }, (_, i) => i)];
    for (let i = 0; i < 50_000; i++) units.push(2, 1, 0, 0);
    expect(rejectionOf(() => expandSegmentedLut(units, 65536)).message).toMatch(/past its descriptor's entry count/);
  });

  test('copies of zero-length segments are bounded work: the guard refuses them', () => {
    // 1000 empty discrete segments, then 50,000 indirect segments each copying all of them: 5e7 copies if unbounded.
    const units = [0, 1, 7];
    for (let i = 0; i < 1000; i++) units.push(0, 0);
    for (let i = 0; i < 50_000; i++) units.push(2, 1000, 6, 0);
    expect(rejectionOf(() => expandSegmentedLut(units, 65536)).message).toMatch(/too long to expand/);
  });
});

describe('PALETTE COLOR with segmented tables', () => {
  test('renders the same RGB as the equivalent plain palette', () => {
    const segmented = rgb(segmentedImage([RED_SEGMENTS, GREEN_SEGMENTS, BLUE_SEGMENTS]));
    expect(segmented).toEqual(rgb(plainImage([RED, GREEN, BLUE])));
    // Index 13 (pixel 13): 16-bit entries shown by their high byte.
    expect(segmented.slice(13 * 3, 13 * 3 + 3)).toEqual([6000, 21978, 13 * 4369].map((v) => Math.floor(v / 256)));
  });

  test('honours the first mapped value', () => {
    const extra = { palette: { entries: 16, bits: 16 as const, firstMapped: 100 } };
    expect(rgb(segmentedImage([RED_SEGMENTS, GREEN_SEGMENTS, BLUE_SEGMENTS], extra))).toEqual(rgb(plainImage([RED, GREEN, BLUE], extra)));
  });

  test.each(['implicit', 'explicitBigEndian', 'deflated'] as const)('reads the same in %s transfer syntax', (transferSyntax) => {
    const options = segmentedImage([RED_SEGMENTS, GREEN_SEGMENTS, BLUE_SEGMENTS], { transferSyntax });
    expect(rgb(options)).toEqual(rgb(plainImage([RED, GREEN, BLUE])));
  });

  test('8-bit tables as 16-bit units or as bytes give the same RGB', () => {
    const entries = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    const words = [0, 2, 0, 10, 1, 14, 150];
    const bytes = Uint8Array.from([0, 2, 0, 10, 1, 14, 150]);
    const extra = { palette: { entries: 16, bits: 8 as const } };
    const expected = rgb(plainImage([entries, entries, entries], extra));
    expect(rgb(segmentedImage([words, words, words], extra))).toEqual(expected);
    expect(rgb(segmentedImage([bytes, bytes, bytes], extra))).toEqual(expected);
  });

  test('an 8-bit table that is malformed read either way reports the 16-bit reading', () => {
    const looping = [0, 1, 5, 2, 1, 6, 0];
    const file = makeDicom(segmentedImage([looping, looping, looping], { palette: { entries: 16, bits: 8 } }));
    expect(rejectionOf(() => parseDicom(file)).message).toMatch(/copies an indirect segment/);
  });

  test('one malformed channel refuses the file as INVALID_DICOM', () => {
    const looping = [0, 1, 5, 2, 1, 6, 0];
    const file = makeDicom(segmentedImage([RED_SEGMENTS, looping, BLUE_SEGMENTS]));
    expect(rejectionOf(() => parseDicom(file)).reasonCode).toBe('INVALID_DICOM');
  });

  test('neither plain nor segmented data for a channel is INVALID_DICOM', () => {
    const file = makeDicom(segmentedImage([RED_SEGMENTS, GREEN_SEGMENTS]));
    expect(rejectionOf(() => parseDicom(file)).message).toMatch(/missing/);
  });
});
