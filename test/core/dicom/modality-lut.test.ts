/**
 * Modality LUT Sequence (0028,3000), PS3.3 C.11.1: stored values to modality
 * values through a table instead of rescale, read from the file and rendered
 * exactly; a malformed table leaves rescale in charge.
 */
import { parseDicom } from '../../../src/core/dicom/parse';
import { applyWindow } from '../../../src/core/imaging/render';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { ExtraElement, makeDicom, MakeDicomOptions } from '../../fixtures/images';
import { LutSpec, lutSequence, MODALITY_LUT_SEQUENCE, VOI_LUT_SEQUENCE } from '../../fixtures/lut-sequence';

/** A one-row 12-bit MONOCHROME2 image whose stored values are `values`, with the given sequences. */
function image(values: readonly number[], extraElements: ExtraElement[], extra: MakeDicomOptions = {}): MakeDicomOptions {
  return { rows: 1, columns: values.length, bitsStored: 12, pixelFn: (x) => values[x], extraElements, ...extra };
}

function pixels(options: MakeDicomOptions): number[] {
  return Array.from(renderDicomFrame(parseDicom(makeDicom(options))).data);
}

// A non-linear (square-law) table over stored values 0..4095, 16-bit output.
const SQUARES: LutSpec = { descriptor: [4096, 0, 16], data: Array.from({ length: 4096 }, (_, i) => Math.floor((i * i) / 256)) };
const STORED = [0, 256, 512, 1024, 2048, 3000, 4095];
const squareOf = (stored: number) => Math.floor((stored * stored) / 256);

describe('Modality LUT Sequence', () => {
  test('is read from the file, with rescale left aside', () => {
    const dicom = parseDicom(makeDicom(image(STORED, [lutSequence(MODALITY_LUT_SEQUENCE, SQUARES)], { rescale: { slope: 2, intercept: -1000 } })));
    expect(dicom.modalityLut).toMatchObject({ firstMapped: 0, bits: 16 });
    expect(dicom.modalityLut?.entries.length).toBe(4096);
  });

  test('a file window applies to the table\'s output, not to rescaled values', () => {
    const window = { center: 20000, width: 40000 };
    const rendered = pixels(image(STORED, [lutSequence(MODALITY_LUT_SEQUENCE, SQUARES)], { window, rescale: { slope: 2, intercept: -1000 } }));
    expect(rendered).toEqual(STORED.map((v) => applyWindow(squareOf(v), window.center, window.width)));
  });

  test('signed stored values: the first mapped value is read as SS and the table clamps below and above', () => {
    // Five entries for stored values -2..2; -3 takes the first entry, 3 the last.
    const table: LutSpec = { descriptor: [5, 0x10000 - 2, 12], data: [0, 1000, 2000, 3000, 4000], descriptorVr: 'SS' };
    const stored = [-3, -2, -1, 0, 1, 2, 3];
    const window = { center: 2000.5, width: 4001 };
    const rendered = pixels(image(stored, [lutSequence(MODALITY_LUT_SEQUENCE, table)], { pixelRepresentation: 1, window }));
    const modality = [0, 0, 1000, 2000, 3000, 4000, 4000];
    expect(rendered).toEqual(modality.map((m) => applyWindow(m, window.center, window.width)));
  });

  test('without a window, the percentile window is taken over the table\'s output (a decreasing table inverts the image)', () => {
    const decreasing: LutSpec = { descriptor: [4096, 0, 12], data: Array.from({ length: 4096 }, (_, i) => 4095 - i) };
    const ramp = Array.from({ length: 200 }, (_, i) => i * 20);
    const rendered = pixels(image(ramp, [lutSequence(MODALITY_LUT_SEQUENCE, decreasing)]));
    expect(rendered[0]).toBe(255);
    expect(rendered[rendered.length - 1]).toBe(0);
    for (let i = 1; i < rendered.length; i++) expect(rendered[i]).toBeLessThanOrEqual(rendered[i - 1]);
  });

  test('feeds a VOI LUT Sequence: the VOI table is indexed by modality values', () => {
    // Modality: stored + 1000 (a table); VOI: five steps from modality value 1000.
    const shift: LutSpec = { descriptor: [4096, 0, 16], data: Array.from({ length: 4096 }, (_, i) => i + 1000) };
    const voi: LutSpec = { descriptor: [5, 1000, 12], data: [0, 1000, 2000, 3000, 4095] };
    const rendered = pixels(image([0, 1, 2, 3, 4, 9], [lutSequence(MODALITY_LUT_SEQUENCE, shift), lutSequence(VOI_LUT_SEQUENCE, voi)]));
    expect(rendered).toEqual([0, 62, 125, 187, 255, 255]);
  });

  test.each([
    ['descriptor shorter than three values', { descriptor: [4096, 0] }],
    ['data shorter than the descriptor says', { descriptor: [4096, 0, 16], data: [1, 2, 3] }],
    ['bits per entry out of range', { descriptor: [3, 0, 20], data: [1, 2, 3] }],
  ] as const)('a malformed table (%s) is ignored: rescale applies', (_name, spec) => {
    const window = { center: 40, width: 400 };
    const rescale = { slope: 1, intercept: -1024 };
    const stored = [824, 1024, 1064, 1264];
    const rendered = pixels(image(stored, [lutSequence(MODALITY_LUT_SEQUENCE, spec)], { window, rescale }));
    expect(rendered).toEqual(stored.map((v) => applyWindow(v - 1024, window.center, window.width)));
  });
});
