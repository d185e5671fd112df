import { DicomRejection } from '../../../src/core/dicom/errors';
import { parseDicom } from '../../../src/core/dicom/parse';
import { DEFAULT_PHI, makeDicom, phiValues, TransferSyntaxUid } from '../../fixtures/images';

function rejectionOf(bytes: Uint8Array, limits = {}): DicomRejection {
  try {
    parseDicom(bytes, limits);
  } catch (e) {
    if (e instanceof DicomRejection) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** MPEG-2 Main Profile: video, which no codec here reads. */
const MPEG2 = '1.2.840.10008.1.2.4.100';

describe('parseDicom', () => {
  const pixelFn = (x: number, y: number) => x * 10 + y;

  describe.each(['implicit', 'explicit', 'explicitBigEndian'] as const)('%s transfer syntax', (transferSyntax) => {
    test('reads identifiers and image attributes', () => {
      const parsed = parseDicom(makeDicom({
        transferSyntax,
        rows: 3,
        columns: 5,
        modality: 'CT',
        numberOfStudyRelatedInstances: 12,
        window: { center: 40, width: 400 },
        rescale: { slope: 1, intercept: -1024 },
        burnedInAnnotation: 'NO',
      }));
      expect(parsed).toMatchObject({
        transferSyntaxUid: TransferSyntaxUid[transferSyntax],
        studyInstanceUid: DEFAULT_PHI.studyUid,
        seriesInstanceUid: DEFAULT_PHI.seriesUid,
        sopInstanceUid: DEFAULT_PHI.sopUid,
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        modality: 'CT',
        rows: 3,
        columns: 5,
        bitsAllocated: 16,
        bitsStored: 12,
        highBit: 11,
        pixelRepresentation: 0,
        photometricInterpretation: 'MONOCHROME2',
        samplesPerPixel: 1,
        numberOfFrames: 1,
        rescaleSlope: 1,
        rescaleIntercept: -1024,
        windowCenter: 40,
        windowWidth: 400,
        numberOfStudyRelatedInstances: 12,
        burnedInAnnotation: 'NO',
      });
    });

    test('reads 16-bit pixels of frame 1', () => {
      const parsed = parseDicom(makeDicom({ transferSyntax, rows: 2, columns: 3, pixelFn: (x, y) => 1000 * y + x + 4000 }));
      expect(parsed.frame1).toBeInstanceOf(Uint16Array);
      expect(Array.from(parsed.frame1)).toEqual([4000, 4001, 4002, 5000, 5001, 5002]);
    });

    test('reads 8-bit pixels of frame 1 (odd length padded)', () => {
      const parsed = parseDicom(makeDicom({ transferSyntax, rows: 3, columns: 3, bitsAllocated: 8, pixelFn }));
      expect(parsed.frame1).toBeInstanceOf(Uint8Array);
      expect(parsed.bitsAllocated).toBe(8);
      expect(Array.from(parsed.frame1)).toEqual([0, 10, 20, 1, 11, 21, 2, 12, 22]);
    });

    test('reads signed words as their bit patterns', () => {
      const signedPixels = (x: number) => (x === 0 ? -1024 : 1024);
      const parsed = parseDicom(makeDicom({ transferSyntax, rows: 1, columns: 2, bitsStored: 16, pixelRepresentation: 1, pixelFn: signedPixels }));
      expect(parsed.pixelRepresentation).toBe(1);
      expect(Array.from(new Int16Array(Uint16Array.from(parsed.frame1).buffer))).toEqual([-1024, 1024]);
    });
  });

  test('defaults: no window, slope 1, intercept 0, no study instance count', () => {
    const parsed = parseDicom(makeDicom());
    expect(parsed.windowCenter).toBeUndefined();
    expect(parsed.windowWidth).toBeUndefined();
    expect(parsed.rescaleSlope).toBe(1);
    expect(parsed.rescaleIntercept).toBe(0);
    expect(parsed.numberOfStudyRelatedInstances).toBeUndefined();
  });

  test('reads multi-frame files (frame 1 only)', () => {
    const parsed = parseDicom(makeDicom({ rows: 2, columns: 2, numberOfFrames: 3 }));
    expect(parsed.numberOfFrames).toBe(3);
    expect(parsed.frame1.length).toBe(4);
  });

  test('reads a file without preamble that starts with the meta group', () => {
    const parsed = parseDicom(makeDicom({ preamble: false, rows: 2, columns: 2 }));
    expect(parsed.sopInstanceUid).toBe(DEFAULT_PHI.sopUid);
  });

  test('reads 16-bit pixels from an odd byte offset (copy instead of view)', () => {
    const file = makeDicom({ rows: 2, columns: 2, pixelFn: (x, y) => x + 2 * y + 100 });
    const shifted = new Uint8Array(file.length + 1).subarray(1);
    shifted.set(file);
    expect(Array.from(parseDicom(shifted).frame1)).toEqual([100, 101, 102, 103]);
  });

  describe('rejections', () => {
    test('truncated inside the pixel data: TRUNCATED_DICOM', () => {
      const full = makeDicom({ rows: 32, columns: 32 });
      expect(rejectionOf(full.subarray(0, full.length - 100)).reasonCode).toBe('TRUNCATED_DICOM');
    });

    test('truncated inside the header: TRUNCATED_DICOM', () => {
      expect(rejectionOf(makeDicom({ truncateAt: 200 })).reasonCode).toBe('TRUNCATED_DICOM');
    });

    test('pixel data shorter than rows x columns: TRUNCATED_DICOM', () => {
      // Claims 64 rows but only 32 rows of pixels are present (a valid element, just too short).
      const file = makeDicom({ rows: 32, columns: 32 });
      const rowsTag = Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00, 32, 0]);
      const at = file.indexOf(rowsTag);
      file[at + 8] = 64;
      expect(rejectionOf(file).reasonCode).toBe('TRUNCATED_DICOM');
    });

    test('no pixel data: MISSING_PIXEL_DATA', () => {
      expect(rejectionOf(makeDicom({ omitPixelData: true })).reasonCode).toBe('MISSING_PIXEL_DATA');
    });

    test.each([0, -3])('NumberOfFrames %d is INVALID_DICOM', (frames) => {
      const error = rejectionOf(makeDicom({ rows: 2, columns: 2, numberOfFrames: frames }));
      expect(error.reasonCode).toBe('INVALID_DICOM');
      expect(error.message).toContain('NumberOfFrames');
    });

    test.each([
      ['StudyInstanceUID', 0x0020000d],
      ['SeriesInstanceUID', 0x0020000e],
      ['SOPInstanceUID', 0x00080018],
      ['SOPClassUID', 0x00080016],
    ])('missing %s: INVALID_DICOM', (_name, tag) => {
      expect(rejectionOf(makeDicom({ omitTags: [tag] })).reasonCode).toBe('INVALID_DICOM');
    });

    test('missing Rows: INVALID_DICOM', () => {
      expect(rejectionOf(makeDicom({ omitTags: [0x00280010] })).reasonCode).toBe('INVALID_DICOM');
    });

    test('a transfer syntax no codec reads (MPEG-2): UNSUPPORTED_TRANSFER_SYNTAX', () => {
      expect(rejectionOf(makeDicom({ transferSyntax: MPEG2 })).reasonCode).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    });

    test('over the pixel limit: TOO_LARGE', () => {
      expect(rejectionOf(makeDicom({ rows: 100, columns: 100 }), { maxPixels: 9_999 }).reasonCode).toBe('TOO_LARGE');
    });

    test('not DICOM at all: UNSUPPORTED_FORMAT', () => {
      expect(rejectionOf(Buffer.from('just some text named image.dcm')).reasonCode).toBe('UNSUPPORTED_FORMAT');
    });

    test('garbage after DICM: TRUNCATED_DICOM', () => {
      const bytes = Buffer.alloc(400, 0xab);
      bytes.write('DICM', 128, 'latin1');
      expect(rejectionOf(bytes).reasonCode).toBe('TRUNCATED_DICOM');
    });

    test('messages never contain PHI', () => {
      const cases = [
        makeDicom({ truncateAt: 300 }),
        makeDicom({ omitPixelData: true }),
        makeDicom({ omitTags: [0x0020000d] }),
        makeDicom({ transferSyntax: MPEG2 }),
      ];
      for (const bytes of cases) {
        const { message } = rejectionOf(bytes);
        for (const value of phiValues()) expect(message).not.toContain(value);
      }
    });
  });
});

describe('parseDicom meta header', () => {
  test('a meta header without transfer syntax: INVALID_DICOM', () => {
    const file = makeDicom();
    // Rename (0002,0010) to (0002,0011) so the transfer syntax is absent but the header still parses.
    const at = file.indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49]));
    file[at + 2] = 0x11;
    expect(rejectionOf(file).reasonCode).toBe('INVALID_DICOM');
  });
});
