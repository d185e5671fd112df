/**
 * Conformance item 6: colour JPEG baseline whose colour transform is not
 * stated by an Adobe APP14 marker. The transform is decided as libjpeg
 * decides it (JFIF: YCbCr; component ids 'R','G','B': none), except that a
 * file labelled RGB with neither marker was coded without one, and a file
 * labelled YBR_FULL(_422) holds YCbCr. Files are compressed by dcmtk's
 * dcmcjpeg, then their markers and labels are changed in place; previews are
 * compared with the original RGB image where the colours are recoverable,
 * and with dcmj2pnm always. Also item 6: a 12-bit lossy JPEG (process 4,
 * 16 allocated / 12 stored) from dcmcjpeg previews as dcmj2pnm renders it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { correlation, renderWithDcmtk, requireDcmtk } from './dcmtk-reference';
import { jpegCodedAsYcbcr } from '../../../src/core/codecs/jpeg-colour';
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { prepareObject } from '../../../src/core/preparation/prepare';
import { makeDicom, MakeDicomOptions } from '../../fixtures/images';

requireDcmtk();

const ROWS = 40;
const COLUMNS = 48;
/** Three different patterns, so a colour transform applied or left out, or channels swapped, shows in every channel. */
const colour = (x: number, y: number, s: number): number => Math.round(128 + 100 * Math.sin(x / (4 + 3 * s) + (y / 9) * (s - 1)));
const RGB_IMAGE: MakeDicomOptions = { rows: ROWS, columns: COLUMNS, bitsAllocated: 8, photometric: 'RGB', burnedInAnnotation: 'NO', pixelFn: colour };
const original = Uint8Array.from({ length: ROWS * COLUMNS * 3 }, (_, i) => colour(Math.floor(i / 3) % COLUMNS, Math.floor(i / 3 / COLUMNS), i % 3));

// Made at load time: the cases below are built from dcmtk's files when the suite is defined.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jpeg-colour-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a dcmtk tool that writes `out` from `in`. */
function dcmtk(tool: string, args: string[], input: Buffer): Buffer {
  const [inFile, outFile] = [path.join(dir, 'in.dcm'), path.join(dir, 'out.dcm')];
  fs.writeFileSync(inFile, input);
  execFileSync(tool, [...args, inFile, outFile], { stdio: 'pipe' });
  return fs.readFileSync(outFile);
}

function relabel(file: Buffer, photometric: string): Buffer {
  const [inFile] = [path.join(dir, 'label.dcm')];
  fs.writeFileSync(inFile, file);
  execFileSync('dcmodify', ['-nb', '-m', `(0028,0004)=${photometric}`, inFile], { stdio: 'pipe' });
  return fs.readFileSync(inFile);
}

/** Offset of the first marker segment `marker` in the (single) codestream of `file`. */
function segment(file: Buffer, marker: number): number {
  const start = file.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  for (let i = start + 2; i + 4 <= file.length; i += 2 + file.readUInt16BE(i + 2)) {
    if (file[i + 1] === marker) return i;
    if (file[i + 1] === 0xda) break;
  }
  throw new Error(`no marker ${marker.toString(16)}`);
}

/** A copy with APPn marker `marker` turned into a comment of the same length (the file is otherwise unchanged). */
function withoutApp(file: Buffer, marker: number): Buffer {
  const out = Buffer.from(file);
  out[segment(file, marker) + 1] = 0xfe;
  return out;
}

/** A copy whose component ids are renumbered 1, 2, 3 in the frame header and the (one, interleaved) scan header. */
function withNumericIds(file: Buffer): Buffer {
  const out = Buffer.from(file);
  const [sof, sos] = [segment(file, 0xc0), segment(file, 0xda)];
  for (let c = 0; c < 3; c++) {
    out[sof + 10 + 3 * c] = c + 1;
    out[sos + 5 + 2 * c] = c + 1;
  }
  return out;
}

const ycbcr = dcmtk('dcmcjpeg', ['+eb'], makeDicom(RGB_IMAGE)); // JFIF, ids 1,2,3, YBR_FULL_422
const rgb = dcmtk('dcmcjpeg', ['+eb', '+cr'], makeDicom(RGB_IMAGE)); // Adobe transform 0, ids 'R','G','B', RGB

/** What each file is, what its samples hold, and which dcmj2pnm mode renders it the same way. */
const CASES = [
  { name: 'YCbCr coded, JFIF, YBR_FULL_422', file: () => ycbcr, transform: true, truth: true, dcmtkMode: '+cp' },
  { name: 'YCbCr coded, JFIF, labelled RGB (JFIF wins)', file: () => relabel(ycbcr, 'RGB'), transform: true, truth: true, dcmtkMode: '+cg' },
  { name: 'RGB coded, Adobe transform 0, ids R,G,B', file: () => rgb, transform: false, truth: true, dcmtkMode: '+cp' },
  { name: 'RGB coded, no Adobe marker, ids R,G,B', file: () => withoutApp(rgb, 0xee), transform: false, truth: true, dcmtkMode: '+cp' },
  // libjpeg alone takes ids 1,2,3 without markers for YCbCr: the RGB label says otherwise.
  { name: 'RGB coded, no marker, ids 1,2,3, labelled RGB', file: () => withNumericIds(withoutApp(rgb, 0xee)), transform: false, truth: true, dcmtkMode: '+cp' },
  // The label is believed over the markers, as dcmtk does: the colours are then not the original ones.
  { name: 'no marker, ids 1,2,3, YCbCr coded but labelled RGB', file: () => relabel(withoutApp(ycbcr, 0xe0), 'RGB'), transform: false, truth: false, dcmtkMode: '+cp' },
  { name: 'RGB coded, no marker, ids R,G,B, labelled YBR_FULL', file: () => relabel(withoutApp(rgb, 0xee), 'YBR_FULL'), transform: true, truth: false, dcmtkMode: '+cp' },
] as const;

function channel(data: Uint8Array, c: number): Uint8Array {
  return data.filter((_, i) => i % 3 === c);
}

describe.each(CASES)('$name', ({ file, transform, truth, dcmtkMode }) => {
  test(`colour transform ${transform ? 'applied' : 'not applied'}; the preview matches dcmj2pnm ${dcmtkMode}${truth ? ' and the original' : ''}`, () => {
    const bytes = file();
    const codestream = bytes.subarray(bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff])));
    const dicom = parseDicom(bytes);
    expect(jpegCodedAsYcbcr(codestream, dicom.photometricInterpretation)).toBe(transform);
    const ours = renderDicomFrame(dicom);
    expect(ours).toMatchObject({ width: COLUMNS, height: ROWS, channels: 3 });
    const reference = renderWithDcmtk(bytes, [dcmtkMode]);
    // The same decoded samples up to IDCT and colour conversion rounding.
    expect(Math.max(...Array.from(ours.data, (v, i) => Math.abs(v - reference.data[i])))).toBeLessThanOrEqual(3);
    for (let c = 0; c < 3; c++) {
      const agreement = correlation(channel(ours.data, c), channel(original, c));
      if (truth) expect(agreement).toBeGreaterThan(0.98);
      else expect(agreement).toBeLessThan(0.98); // sanity: the case really changes the colours
    }
  });
});

test('a colour JPEG labelled RGB without markers is prepared end to end with its original colours', async () => {
  const result = await prepareObject(withNumericIds(withoutApp(rgb, 0xee)), { pseudonymKey: Buffer.alloc(32, 0x5a) });
  const preview = renderDicomFrame(parseDicom(result.deidentifiedDicom!));
  for (let c = 0; c < 3; c++) expect(correlation(channel(preview.data, c), channel(original, c))).toBeGreaterThan(0.98);
});

test('12-bit lossy JPEG (process 4, 16 allocated, 12 stored) from dcmcjpeg previews as dcmj2pnm renders it', () => {
  const image: MakeDicomOptions = {
    rows: ROWS,
    columns: COLUMNS,
    bitsAllocated: 16,
    bitsStored: 12,
    burnedInAnnotation: 'NO',
    window: { center: 2048, width: 3000 },
    pixelFn: (x, y) => Math.round(2048 + 1800 * Math.sin(x / 6) * Math.cos(y / 9) + 4 * y),
  };
  const file = dcmtk('dcmcjpeg', ['+ee', '+bt'], makeDicom(image));
  const dicom = parseDicom(file);
  expect(dicom).toMatchObject({ transferSyntaxUid: '1.2.840.10008.1.2.4.51', bitsAllocated: 16, bitsStored: 12 });
  expect(file[segment(file, 0xc1) + 4]).toBe(12); // SOF1, precision 12
  const ours = renderDicomFrame(dicom).data;
  expect(correlation(ours, renderWithDcmtk(file, ['+Wi', '1']).data)).toBeGreaterThan(0.995);
});
