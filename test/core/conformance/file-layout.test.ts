/**
 * Conformance items 4 and 5: a data set whose encoding disagrees with the
 * transfer syntax in its File Meta Information (explicit declared, implicit
 * found, and the reverse), and a bare data set with no preamble and no meta
 * (implicit or explicit VR little endian, starting with group 0008). Each is
 * sniffed as DICOM, read with a warning, and previewed as dcmtk renders it.
 */
import * as dicomParser from 'dicom-parser';
import { correlation, renderWithDcmtk, requireDcmtk } from './dcmtk-reference';
import { bareDataSet, withMetaOf } from './file-layout';
import { conformingPart10 } from '../../../src/core/dicom/conforming-part10';
import { parseDicom } from '../../../src/core/dicom/parse';
import { sniffImageKind } from '../../../src/core/imaging/sniff';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { prepareObject } from '../../../src/core/preparation/prepare';
import { makeDicom, MakeDicomOptions, phiValues } from '../../fixtures/images';

requireDcmtk();

const SIZE = 40;
const IMAGE: MakeDicomOptions = {
  rows: SIZE,
  columns: SIZE,
  bitsStored: 12,
  burnedInAnnotation: 'NO',
  pixelFn: (x, y) => Math.round(2048 + 1800 * Math.sin(x / 6) * Math.cos(y / 9) + 5 * y),
};
const explicitFile = makeDicom({ ...IMAGE, transferSyntax: 'explicit' });
const implicitFile = makeDicom({ ...IMAGE, transferSyntax: 'implicit' });
const conformingPreview = renderDicomFrame(parseDicom(explicitFile)).data;

const cases = [
  { name: 'explicit VR declared, implicit VR data set', bytes: withMetaOf(explicitFile, implicitFile), warning: 'ENCODING_MISMATCH', dcmtk: ['-td'] },
  { name: 'implicit VR declared, explicit VR data set', bytes: withMetaOf(implicitFile, explicitFile), warning: 'ENCODING_MISMATCH', dcmtk: ['-td'] },
  { name: 'bare implicit VR data set', bytes: bareDataSet(implicitFile), warning: 'NO_FILE_META', dcmtk: [] },
  { name: 'bare explicit VR data set', bytes: bareDataSet(explicitFile), warning: 'NO_FILE_META', dcmtk: [] },
] as const;

describe.each(cases)('$name', ({ bytes, warning, dcmtk }) => {
  test('is sniffed as DICOM and read with a warning, not refused', () => {
    expect(sniffImageKind(bytes)).toBe('dicom');
    const dicom = parseDicom(bytes);
    expect(dicom.warnings).toEqual([warning]);
    expect(dicom).toMatchObject({ rows: SIZE, columns: SIZE, bitsStored: 12, photometricInterpretation: 'MONOCHROME2' });
    // Same pixels as the conforming file: nothing was read at a wrong offset or as a wrong VR.
    expect(Array.from(renderDicomFrame(dicom).data)).toEqual(Array.from(conformingPreview));
  });

  test('is prepared end to end: same preview as the conforming file, a conforming de-identified file without PHI', async () => {
    const key = { pseudonymKey: Buffer.alloc(32, 0x5a) };
    const [result, conforming] = await Promise.all([prepareObject(bytes, key), prepareObject(explicitFile, key)]);
    expect(result.previewPng.equals(conforming.previewPng)).toBe(true);
    const deidentified = result.deidentifiedDicom!;
    expect(parseDicom(deidentified).warnings).toEqual([]);
    const text = deidentified.toString('latin1');
    for (const value of phiValues()) expect(text).not.toContain(value);
    expect(renderWithDcmtk(deidentified, ['+Wm'])).toMatchObject({ width: SIZE, height: SIZE });
  });

  test('previews as dcmj2pnm renders it', () => {
    const ours = renderDicomFrame(parseDicom(bytes)).data;
    const reference = renderWithDcmtk(bytes, [...dcmtk, '+Wm']);
    expect(reference).toMatchObject({ width: SIZE, height: SIZE, channels: 1 });
    expect(correlation(ours, reference.data)).toBeGreaterThan(0.97);
  });
});

describe('conforming files and non-DICOM bytes', () => {
  test('a mismatched meta is rewritten to declare what was found and keeps its other elements', () => {
    const original = dicomParser.readPart10Header(explicitFile);
    const rewritten = conformingPart10(withMetaOf(explicitFile, implicitFile));
    expect(rewritten.warnings).toEqual(['ENCODING_MISMATCH']);
    const meta = dicomParser.readPart10Header(rewritten.bytes);
    expect(meta.string('x00020010')).toBe('1.2.840.10008.1.2');
    expect(meta.string('x00020003')).toBe(original.string('x00020003'));
    expect(meta.string('x00020002')).toBe(original.string('x00020002'));
  });

  test('a conforming file carries no warning and is not copied', () => {
    expect(conformingPart10(explicitFile).bytes).toBe(explicitFile);
    expect(parseDicom(explicitFile).warnings).toEqual([]);
    expect(parseDicom(implicitFile).warnings).toEqual([]);
  });

  test('bytes starting 08 00 whose first element cannot be an element are not DICOM', () => {
    // Tag (0008,0016), no known VR, a 32-bit length far past the end.
    const notDicom = Uint8Array.from([0x08, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x7f, 1, 2, 3, 4]);
    expect(sniffImageKind(notDicom)).toBe('unknown');
    expect(() => parseDicom(notDicom)).toThrow(expect.objectContaining({ reasonCode: 'UNSUPPORTED_FORMAT' }));
  });
});
