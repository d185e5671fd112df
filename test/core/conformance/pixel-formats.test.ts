/**
 * Conformance item 1: BitsAllocated 32 (unsigned and signed integers, e.g. RT
 * dose; gray and RGB; native and RLE), Float and Double Float Pixel Data
 * (e.g. parametric maps), and BitsAllocated 1 (segmentations, packed across
 * frames so that frames do not start on a byte) are read and previewed.
 * Previews are compared with dcmj2pnm where dcmtk renders the format; dcmtk
 * does not render float pixel data, so those previews are compared with an
 * image computed here from the sample values (exact percentiles by sorting).
 */
import { correlation, renderWithDcmtk, requireDcmtk } from './dcmtk-reference';
import { makePixelFormatDicom, PixelFormatImage, rleWithDcmtk, sampleValues } from './pixel-formats';
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { prepareObject } from '../../../src/core/preparation/prepare';
import { dcmdump } from '../deid/dcmdump';

requireDcmtk();

const ROWS = 30;
const COLUMNS = 34;
/** Structure in both directions, so a transposed, flipped or byte-swapped image would not correlate. */
const wave = (x: number, y: number, s = 0): number => Math.sin(x / 5 + s) * Math.cos(y / 7) + x / 40;

function preview(file: Uint8Array): Uint8Array {
  const image = renderDicomFrame(parseDicom(file));
  expect(image).toMatchObject({ width: COLUMNS, height: ROWS });
  return image.data;
}

describe('BitsAllocated 32', () => {
  const unsigned: PixelFormatImage = { rows: ROWS, columns: COLUMNS, format: 'uint32', value: (x, y) => Math.round(3e9 + 1e9 * wave(x, y)) };
  const signed: PixelFormatImage = { rows: ROWS, columns: COLUMNS, format: 'int32', value: (x, y) => Math.round(-2e5 + 1.5e5 * wave(x, y)) };

  test('unsigned gray (values above 2^31) through the file window, as dcmj2pnm +Wi 1', () => {
    const file = makePixelFormatDicom({ ...unsigned, window: { center: 3.1e9, width: 1.6e9 } });
    expect(parseDicom(file)).toMatchObject({ bitsAllocated: 32, sampleFormat: 'integer', pixelRepresentation: 0 });
    const reference = renderWithDcmtk(file, ['+Wi', '1']);
    expect(correlation(preview(file), reference.data)).toBeGreaterThan(0.99);
  });

  test.each(['explicit', 'implicit', 'explicitBigEndian'] as const)('signed gray, negative values, automatic window (%s), as dcmj2pnm +Wm', (transferSyntax) => {
    const file = makePixelFormatDicom({ ...signed, transferSyntax, rescale: { slope: 0.001, intercept: 5 } });
    const ours = preview(file);
    const reference = renderWithDcmtk(file, ['+Wm']);
    // Our automatic window is 1st-99th percentile, dcmtk's +Wm min-max: nearly linear, same direction.
    expect(correlation(ours, reference.data)).toBeGreaterThan(0.97);
    // The lowest stored value is black (below the 1st percentile).
    const values = sampleValues(signed);
    expect(ours[values.indexOf(Math.min(...values))]).toBe(0);
  });

  test('MONOCHROME1: the negative of MONOCHROME2, as dcmj2pnm +Wm', () => {
    const mono1 = makePixelFormatDicom({ ...signed, photometric: 'MONOCHROME1' });
    const ours = preview(mono1);
    expect(Array.from(ours)).toEqual(Array.from(preview(makePixelFormatDicom(signed)), (v) => 255 - v));
    expect(correlation(ours, renderWithDcmtk(mono1, ['+Wm']).data)).toBeGreaterThan(0.97);
  });

  test('RLE (encoded by dcmcrle, four byte planes) previews exactly as the native file', () => {
    const native = makePixelFormatDicom({ ...unsigned, frames: 2, value: (x, y, _s, f) => Math.round(3e9 + 1e9 * wave(x + 7 * f, y)) });
    const rle = rleWithDcmtk(native);
    expect(parseDicom(rle).transferSyntaxUid).toBe('1.2.840.10008.1.2.5');
    for (const frame of [0, 1]) {
      expect(Array.from(parseDicom(rle).decodeFrame(frame).samples)).toEqual(Array.from(parseDicom(native).decodeFrame(frame).samples));
    }
    expect(Array.from(preview(rle))).toEqual(Array.from(preview(native)));
    // The preview is the middle frame: the second of two.
    expect(correlation(preview(rle), renderWithDcmtk(rle, ['+F', '2', '+Wm']).data)).toBeGreaterThan(0.97);
  });

  test.each([0, 1] as const)('RGB (planar configuration %d), native and RLE, as dcmj2pnm', (planarConfiguration) => {
    const rgb: PixelFormatImage = {
      rows: ROWS,
      columns: COLUMNS,
      format: 'uint32',
      photometric: 'RGB',
      planarConfiguration,
      value: (x, y, s) => Math.round(2 ** 31 + 2 ** 30 * wave(x, y, 2 * s)),
    };
    const native = makePixelFormatDicom(rgb);
    for (const file of [native, rleWithDcmtk(native)]) {
      const ours = renderDicomFrame(parseDicom(file));
      expect(ours).toMatchObject({ width: COLUMNS, height: ROWS, channels: 3 });
      const reference = renderWithDcmtk(file);
      expect(reference.channels).toBe(3);
      // Per channel, so that swapped channels would fail.
      for (let c = 0; c < 3; c++) {
        const channel = (data: Uint8Array) => data.filter((_, i) => i % 3 === c);
        expect(correlation(channel(ours.data), channel(reference.data))).toBeGreaterThan(0.99);
      }
    }
  });

  test('is prepared end to end: a preview, and a de-identified file dcmdump reads cleanly and dcmtk renders alike', async () => {
    const file = makePixelFormatDicom(signed);
    const result = await prepareObject(file, { pseudonymKey: Buffer.alloc(32, 0x5a) });
    expect(result.previewPng.length).toBeGreaterThan(0);
    const deidentified = result.deidentifiedDicom!;
    expect(dcmdump(deidentified).problems).toEqual([]);
    expect(Array.from(preview(deidentified))).toEqual(Array.from(preview(file)));
  });
});

/** The expected preview of float values: 1st-99th percentile (exact, by sorting) mapped linearly onto 0..255. */
function expectedPercentilePreview(values: number[]): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
  const [low, high] = [at(1), at(99)];
  return values.map((v) => (Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, (v - low) / (high - low))) * 255)));
}

/** PS3.3 C.11.2.1.2.1, written out again here rather than imported. */
function expectedLinearWindow(values: number[], center: number, width: number): number[] {
  return values.map((v) => {
    if (v <= center - 0.5 - (width - 1) / 2) return 0;
    if (v > center - 0.5 + (width - 1) / 2) return 255;
    return Math.round(((v - (center - 0.5)) / (width - 1) + 0.5) * 255);
  });
}

describe.each(['float', 'double'] as const)('%s Pixel Data (dcmj2pnm does not render it)', (format) => {
  // A parametric map in small units (e.g. ADC in mm^2/s), with a NaN where the fit failed.
  const image: PixelFormatImage = {
    rows: ROWS, columns: COLUMNS, format, value: (x, y) => (x === 3 && y === 4 ? NaN : 0.001 + 0.0008 * wave(x, y)),
  };
  const values = sampleValues(image).map((v) => (format === 'float' ? Math.fround(v) : v));

  test.each(['explicit', 'implicit', 'explicitBigEndian'] as const)('automatic window (%s): the expected percentile image', (transferSyntax) => {
    const file = makePixelFormatDicom({ ...image, transferSyntax });
    expect(parseDicom(file)).toMatchObject({ sampleFormat: format, bitsAllocated: format === 'float' ? 32 : 64 });
    const ours = Array.from(preview(file));
    const expected = expectedPercentilePreview(values);
    // Percentiles from a 65536-bin histogram: within one display level of the sorted ones.
    expect(Math.max(...ours.map((v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1);
    expect(correlation(ours, expected)).toBeGreaterThan(0.999);
    expect(ours[4 * COLUMNS + 3]).toBe(0); // the NaN
  });

  test('through the file window, in rescaled units: exactly the LINEAR window', () => {
    const rescale = { slope: 1e6, intercept: 0 }; // to um^2/s: window widths >= 1 are meaningful
    const file = makePixelFormatDicom({ ...image, rescale, window: { center: 1000, width: 1200 } });
    const expected = expectedLinearWindow(values.map((v) => v * rescale.slope), 1000, 1200).map((v, i) => (Number.isNaN(values[i]) ? 0 : v));
    expect(Array.from(preview(file))).toEqual(expected);
  });

  test('is prepared end to end; the de-identified file keeps the float Pixel Data and dcmdump reads it cleanly', async () => {
    const file = makePixelFormatDicom(image);
    const result = await prepareObject(file, { pseudonymKey: Buffer.alloc(32, 0x5a) });
    const deidentified = result.deidentifiedDicom!;
    expect(dcmdump(deidentified).problems).toEqual([]);
    expect(Array.from(preview(deidentified))).toEqual(Array.from(preview(file)));
  });
});

describe('BitsAllocated 1 (segmentation masks packed across frames)', () => {
  // 7 x 9 = 63 bits a frame: frames 1 and 2 start inside a byte.
  const mask: PixelFormatImage = {
    rows: 7,
    columns: 9,
    frames: 3,
    format: 'bit',
    value: (x, y, _s, f) => ((x - 4 + f) ** 2 + (y - 3) ** 2 < 4 + 2 * f ? 1 : 0),
  };

  test.each(['explicit', 'implicit', 'explicitBigEndian'] as const)('every frame unpacks to its bits (%s)', (transferSyntax) => {
    const dicom = parseDicom(makePixelFormatDicom({ ...mask, transferSyntax }));
    expect(dicom).toMatchObject({ bitsAllocated: 1, numberOfFrames: 3 });
    const bits = sampleValues(mask);
    for (let f = 0; f < 3; f++) expect(Array.from(dicom.decodeFrame(f).samples)).toEqual(bits.slice(f * 63, (f + 1) * 63));
  });

  test.each(['explicit', 'explicitBigEndian'] as const)('the middle frame is a mask preview (set bits white) with the pixels dcmj2pnm +F 2 sets (%s)', (transferSyntax) => {
    const file = makePixelFormatDicom({ ...mask, transferSyntax });
    const ours = renderDicomFrame(parseDicom(file));
    expect(ours).toMatchObject({ width: 9, height: 7, channels: 1 });
    expect(Array.from(ours.data)).toEqual(sampleValues(mask).slice(63, 126).map((b) => b * 255));
    // dcmtk shows set bits at mid gray without a window; which pixels are set must agree exactly.
    expect(Array.from(renderWithDcmtk(file, ['+F', '2']).data, (v) => (v > 0 ? 255 : 0))).toEqual(Array.from(ours.data));
  });

  test('a mask covering under 1% of the frame still shows (no percentile window)', () => {
    const file = makePixelFormatDicom({ rows: 40, columns: 40, format: 'bit', value: (x, y) => (x === 20 && y < 5 ? 1 : 0) });
    const data = renderDicomFrame(parseDicom(file)).data;
    expect(data.filter((v) => v === 255)).toHaveLength(5);
  });

  test('is prepared end to end; the de-identified file dcmdump reads cleanly and previews the same', async () => {
    const file = makePixelFormatDicom(mask);
    const result = await prepareObject(file, { pseudonymKey: Buffer.alloc(32, 0x5a) });
    const deidentified = result.deidentifiedDicom!;
    expect(dcmdump(deidentified).problems).toEqual([]);
    expect(Array.from(renderDicomFrame(parseDicom(deidentified)).data)).toEqual(Array.from(renderDicomFrame(parseDicom(file)).data));
  });
});
