import { createHash } from 'node:crypto';
import { decodePng } from '../../../src/core/imaging/png';
import { prepareObject, PrepareOptions } from '../../../src/core/preparation/prepare';
import { IngestRejection, isRejection } from '../../../src/core/preparation/rejection';
import { pseudonymize } from '../../../src/core/pseudonym/pseudonymize';
import { DEFAULT_PHI, makeDicom, makeJpeg, makePng, phiValues, pngChunkTypes, TransferSyntaxUid } from '../../fixtures/images';
import { reasonOfAsync } from '../../support/rejections';

const options: PrepareOptions = { pseudonymKey: Buffer.alloc(32, 0x5a) };

const reasonOf = (bytes: Uint8Array, opts: PrepareOptions = options) => reasonOfAsync(() => prepareObject(bytes, opts), IngestRejection);

/** Every way PHI could leak from a result: its JSON (Buffers included) and the PNG bytes as text. */
function everythingIn(result: Awaited<ReturnType<typeof prepareObject>>): string {
  return [
    JSON.stringify(result),
    result.previewPng.toString('latin1'),
    result.analysisPng.toString('latin1'),
  ].join('\n');
}

function searchable(value: string): string[] {
  // Also each DICOM PN component on its own (a partial leak is still a leak).
  return [value, ...value.split('^').filter((part) => part.length >= 3)];
}

describe('prepareObject on DICOM', () => {
  const ct = () => makeDicom({
    modality: 'CT',
    rows: 64,
    columns: 48,
    bitsStored: 16,
    pixelRepresentation: 1,
    rescale: { slope: 1, intercept: -1024 },
    window: { center: 40, width: 400 },
    numberOfStudyRelatedInstances: 3,
    pixelFn: (x) => x * 20 - 200 + 1024,
  });

  test('derives pseudonymous keys from the UIDs', async () => {
    const result = await prepareObject(ct(), options);
    expect(result.studyKey).toBe(pseudonymize(options.pseudonymKey, 'study', DEFAULT_PHI.studyUid));
    expect(result.seriesKey).toBe(pseudonymize(options.pseudonymKey, 'series', DEFAULT_PHI.seriesUid));
    expect(result.instanceKey).toBe(pseudonymize(options.pseudonymKey, 'instance', DEFAULT_PHI.sopUid));
  });

  test('describes the object with technical attributes only', async () => {
    const bytes = ct();
    const result = await prepareObject(bytes, options);
    expect(result).toMatchObject({
      kind: 'dicom',
      modality: 'CT',
      width: 48,
      height: 64,
      expectedInstances: 3,
      singleImage: false,
      analysisWidth: 48,
      analysisHeight: 64,
      sourceSha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(result.safeMetadata).toEqual({
      modality: 'CT',
      rows: 64,
      columns: 48,
      bitsStored: 16,
      photometric: 'MONOCHROME2',
      transferSyntax: TransferSyntaxUid.explicit,
      numberOfFrames: 1,
    });
  });

  test('renders the preview with the file window', async () => {
    const result = await prepareObject(ct(), options);
    const preview = decodePng(result.previewPng);
    if (preview.bitDepth !== 8) throw new Error('expected 8-bit preview');
    expect(preview.image).toMatchObject({ width: 48, height: 64, channels: 1 });
    // x = 0 -> HU -200 (below the window), x = 12 -> HU 40 (centre), x = 47 -> HU 740 (above).
    expect(preview.image.data[0]).toBe(0);
    expect([127, 128]).toContain(preview.image.data[12]);
    expect(preview.image.data[47]).toBe(255);
  });

  test('never outputs the PHI the file carried', async () => {
    const result = await prepareObject(makeDicom({ burnedInAnnotation: 'NO' }), options);
    const haystack = everythingIn(result);
    for (const value of phiValues()) {
      for (const needle of searchable(value)) expect(haystack).not.toContain(needle);
    }
    expect(result.burnedInAnnotation).toBe(false);
  });

  test('output PNGs carry no metadata chunks', async () => {
    const result = await prepareObject(makeDicom(), options);
    expect(pngChunkTypes(result.previewPng)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(pngChunkTypes(result.analysisPng)).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  test('MONOCHROME1 is inverted in the preview', async () => {
    const make = (photometric: string) => prepareObject(makeDicom({ photometric, rows: 8, columns: 8, pixelFn: (x) => x * 100 }), options);
    const mono2 = decodePng((await make('MONOCHROME2')).previewPng).image.data;
    const mono1 = decodePng((await make('MONOCHROME1')).previewPng).image.data;
    expect(Array.from(mono1)).toEqual(Array.from(mono2, (v) => 255 - v));
  });

  test('RGB DICOM stays RGB in the preview and is gray for analysis', async () => {
    const result = await prepareObject(makeDicom({
      photometric: 'RGB', bitsAllocated: 8, planarConfiguration: 1, rows: 4, columns: 4, pixelFn: (_x, _y, c) => [200, 100, 0][c],
    }), options);
    const preview = decodePng(result.previewPng);
    const analysis = decodePng(result.analysisPng);
    expect(preview.bitDepth === 8 && preview.image.channels).toBe(3);
    expect(Array.from(preview.image.data.subarray(0, 3))).toEqual([200, 100, 0]);
    expect(analysis.bitDepth === 8 && analysis.image.channels).toBe(1);
  });

  test('a malformed Modality is recorded as OT', async () => {
    expect((await prepareObject(makeDicom({ modality: 'doe^jane' }), options)).modality).toBe('OT');
  });

  test('bounds the analysis image of a 3000x3000 12-bit DX to 1568 px', async () => {
    const bytes = makeDicom({ modality: 'DX', rows: 3000, columns: 3000, bitsStored: 12, pixelFn: (x, y) => (x * 3 + y) % 4096 });
    const result = await prepareObject(bytes, options);
    expect([result.width, result.height]).toEqual([3000, 3000]);
    expect([result.analysisWidth, result.analysisHeight]).toEqual([1568, 1568]);
    expect(decodePng(result.analysisPng).image).toMatchObject({ width: 1568, height: 1568 });
  });

  test('objects prepared one after another keep their own pixels (intermediate buffers are reused)', async () => {
    const first = await prepareObject(ct(), options);
    const other = await prepareObject(makeDicom({ rows: 2000, columns: 1700, bitsStored: 12, pixelFn: (x, y) => (x * 7 + y * 3) % 4096 }), options);
    const again = await prepareObject(ct(), options);
    expect(again.previewPng.equals(first.previewPng)).toBe(true);
    expect(again.analysisPng.equals(first.analysisPng)).toBe(true);
    const otherPreview = decodePng(other.previewPng).image;
    expect(otherPreview).toMatchObject({ width: 1700, height: 2000 });
    expect(decodePng(first.previewPng).image).toMatchObject({ width: 48, height: 64 });
  });

  test('honours analysisMaxDimension', async () => {
    const result = await prepareObject(makeDicom({ rows: 300, columns: 600 }), { ...options, analysisMaxDimension: 100 });
    expect([result.analysisWidth, result.analysisHeight]).toEqual([100, 50]);
  });
});

describe('prepareObject on PNG and JPEG', () => {
  const phiText = { Author: 'DOE^JANE', Comment: 'MRN-0042 born 19700101' };

  test('a PNG is a single-image study keyed by its content', async () => {
    const png = makePng(40, 30, (x, y) => x * 5 + y, { textChunks: phiText });
    const result = await prepareObject(png, options);
    const sha = createHash('sha256').update(png).digest('hex');
    const objectKey = pseudonymize(options.pseudonymKey, 'object', sha);
    expect(result).toMatchObject({
      kind: 'png',
      studyKey: objectKey,
      seriesKey: objectKey,
      instanceKey: objectKey,
      modality: 'OT',
      width: 40,
      height: 30,
      expectedInstances: 1,
      singleImage: true,
      sourceSha256: sha,
    });
    expect(result.safeMetadata).toEqual({ modality: 'OT', rows: 30, columns: 40, bitsStored: 8, photometric: 'MONOCHROME2', numberOfFrames: 1 });
    expect((await prepareObject(Buffer.from(png), options)).studyKey).toBe(objectKey);
  });

  test('PNG text chunks do not survive', async () => {
    const result = await prepareObject(makePng(16, 16, (x) => x * 16, { textChunks: phiText }), options);
    const haystack = everythingIn(result);
    for (const value of ['DOE^JANE', 'MRN-0042', '19700101']) expect(haystack).not.toContain(value);
    expect(pngChunkTypes(result.previewPng)).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  test('16-bit gray PNG is windowed to 8 bits', async () => {
    const result = await prepareObject(makePng(100, 1, (x) => 20000 + x * 100, { bitDepth: 16 }), options);
    const preview = decodePng(result.previewPng).image.data;
    expect(preview[0]).toBe(0);
    expect(preview[99]).toBe(255);
    expect(result.safeMetadata.bitsStored).toBe(16);
  });

  test('a JPEG keeps RGB for the preview and drops its comments', async () => {
    const jpg = makeJpeg(24, 16, (x, _y, c) => (c === 0 ? 200 : x * 4), { comments: ['Patient DOE^JANE MRN-0042'] });
    const result = await prepareObject(jpg, options);
    expect(result).toMatchObject({ kind: 'jpeg', width: 24, height: 16, singleImage: true, modality: 'OT' });
    expect(result.safeMetadata.photometric).toBe('RGB');
    const haystack = everythingIn(result);
    expect(haystack).not.toContain('DOE^JANE');
    expect(haystack).not.toContain('MRN-0042');
  });
});

describe('prepareObject rejections', () => {
  test.each([
    ['zero bytes', new Uint8Array(0), 'EMPTY_OBJECT'],
    ['a text file named .dcm', Buffer.from('Patient DOE^JANE, see attached scan.dcm\n'.repeat(10)), 'UNSUPPORTED_FORMAT'],
    ['a truncated DICOM file', makeDicom({ rows: 32, columns: 32, truncateAt: 1500 }), 'TRUNCATED_DICOM'],
    ['DICOM without pixel data', makeDicom({ omitPixelData: true }), 'MISSING_PIXEL_DATA'],
    ['DICOM without StudyInstanceUID', makeDicom({ omitTags: [0x0020000d] }), 'INVALID_DICOM'],
    ['DICOM in a syntax no codec reads (MPEG-2)', makeDicom({ transferSyntax: '1.2.840.10008.1.2.4.100' }), 'UNSUPPORTED_TRANSFER_SYNTAX'],
    ['DICOM in a retired photometric (HSV)', makeDicom({ photometric: 'HSV', bitsAllocated: 8 }), 'UNSUPPORTED_FORMAT'],
    ['a truncated PNG', makePng(64, 64, (x, y) => (x * y) % 256).subarray(0, 60), 'CORRUPT_IMAGE'],
    ['a damaged JPEG', makeJpeg(64, 64, (x) => x).subarray(0, 50), 'CORRUPT_IMAGE'],
    // Only the label goes into the test name: the bytes would land in test reports.
  ])('%s is rejected with its reason code', async (_name, bytes, reason) => {
    expect(await reasonOf(bytes)).toBe(reason);
  });

  test('objects over the byte limit are TOO_LARGE before parsing', async () => {
    expect(await reasonOf(makeDicom(), { ...options, maxObjectBytes: 100 })).toBe('TOO_LARGE');
  });

  test('images over the pixel limit are TOO_LARGE', async () => {
    expect(await reasonOf(makeDicom({ rows: 100, columns: 100 }), { ...options, maxPixels: 5000 })).toBe('TOO_LARGE');
    expect(await reasonOf(makePng(100, 100, () => 0), { ...options, maxPixels: 5000 })).toBe('TOO_LARGE');
  });

  test('rejections are IngestRejection with PHI-free messages', async () => {
    for (const bytes of [makeDicom({ truncateAt: 400 }), makeDicom({ omitTags: [0x00080018] }), Buffer.from('DOE^JANE')]) {
      let error: unknown;
      try {
        await prepareObject(bytes, options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IngestRejection);
      for (const value of phiValues()) expect((error as Error).message).not.toContain(value);
    }
  });
});

describe('isRejection', () => {
  test('recognises rejections only', async () => {
    expect(isRejection(new IngestRejection('EMPTY_OBJECT', 'Object is empty'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'IngestRejection', reasonCode: 'TOO_LARGE' });
    expect(isRejection(foreign)).toBe(true);
    expect(isRejection(new Error('boom'))).toBe(false);
    expect(isRejection('EMPTY_OBJECT')).toBe(false);
    expect(isRejection(undefined)).toBe(false);
  });
});
