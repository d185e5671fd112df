/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
import { parseDicom } from '../../../src/core/dicom/parse';
import { frameWords, makeDicom, MakeDicomOptions } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';
import { storedValues } from '../codecs/support';

const FRAMES = 5;
const base: MakeDicomOptions = {
  rows: 12,
  columns: 10,
  bitsAllocated: 16,
  bitsStored: 12,
  numberOfFrames: FRAMES,
  pixelFn: (x, y, _s, f) => 100 * f + x + 10 * y,
};

/** The reason decoding the first frame is refused with. */
const frameReason = (bytes: Uint8Array, limits = {}) => reasonOf(() => parseDicom(bytes, limits).decodeFrame(0));

describe('multi-frame', () => {
  test.each([
    ['native', { transferSyntax: 'explicit' }],
    ['RLE, offset table', { transferSyntax: 'rle' }],
    ['RLE, no offset table (one fragment per frame)', { transferSyntax: 'rle', basicOffsetTable: false }],
    ['JPEG-LS, 3 fragments per frame, offset table', { transferSyntax: 'jpegLs', fragmentsPerFrame: 3 }],
    ['JPEG-LS, 3 fragments per frame, no offset table', { transferSyntax: 'jpegLs', fragmentsPerFrame: 3, basicOffsetTable: false }],
    ['JPEG 2000, 2 fragments per frame, no offset table', { transferSyntax: 'jpeg2000Lossless', fragmentsPerFrame: 2, basicOffsetTable: false }],
    ['deflated', { transferSyntax: 'deflated' }],
  ] as const)('%s: every frame decodes to its own pixels', (_name, extra) => {
    const options = { ...base, ...extra };
    const parsed = parseDicom(makeDicom(options));
    expect(parsed.numberOfFrames).toBe(FRAMES);
    for (let f = 0; f < FRAMES; f++) {
      expect(Array.from(storedValues(parsed.decodeFrame(f).samples, 12, false))).toEqual(Array.from(frameWords(options, f)));
    }
    expect(() => parsed.decodeFrame(FRAMES)).toThrow(RangeError);
  });

  test('frame1 is the first frame', () => {
    const parsed = parseDicom(makeDicom({ ...base, transferSyntax: 'rle' }));
    expect(Array.from(parsed.frame1)).toEqual(Array.from(frameWords(base, 0)));
  });

  test('more frames than allowed: TOO_MANY_FRAMES, before any frame is read', () => {
    expect(frameReason(makeDicom(base), { maxFrames: 4 })).toBe('TOO_MANY_FRAMES');
  });

  test('declared decompressed size over the bound: TOO_LARGE, checked from the header (all native frames, one compressed frame)', () => {
    // 12 x 10 x 2 bytes = 240 bytes a frame, x 5 frames = 1200 bytes.
    expect(frameReason(makeDicom(base), { maxDecompressedBytes: 1199 })).toBe('TOO_LARGE');
    expect(() => parseDicom(makeDicom(base), { maxDecompressedBytes: 1200 })).not.toThrow();
    expect(frameReason(makeDicom({ ...base, transferSyntax: 'rle' }), { maxDecompressedBytes: 239 })).toBe('TOO_LARGE');
    expect(() => parseDicom(makeDicom({ ...base, transferSyntax: 'rle' }), { maxDecompressedBytes: 240 })).not.toThrow();
  });
});

describe('deflated explicit VR little endian', () => {
  test('a zip bomb is refused at the inflate bound: TOO_LARGE', () => {
    const bomb = makeDicom({ rows: 1024, columns: 1024, bitsAllocated: 8, transferSyntax: 'deflated', pixelFn: () => 0 });
    expect(bomb.length).toBeLessThan(10_000);
    expect(frameReason(bomb, { maxDecompressedBytes: 100_000 })).toBe('TOO_LARGE');
  });

  test('a damaged deflate stream: TRUNCATED_DICOM', () => {
    const bytes = makeDicom({ rows: 16, columns: 16, transferSyntax: 'deflated' });
    expect(frameReason(bytes.subarray(0, bytes.length - 40))).toBe('TRUNCATED_DICOM');
  });
});

describe('encapsulated pixel data rejections', () => {
  test('a cut-off fragment: TRUNCATED_DICOM', () => {
    const bytes = makeDicom({ rows: 32, columns: 32, transferSyntax: 'jpegLs' });
    expect(frameReason(bytes.subarray(0, bytes.length - 30))).toBe('TRUNCATED_DICOM');
  });

  test.each(['rle', 'jpegLossless', 'jpegLs', 'jpeg2000Lossless', 'htj2kLossless', 'jpegBaseline'] as const)(
    '%s with damaged codestream bytes: CORRUPT_IMAGE, never a crash', (transferSyntax) => {
      // Noisy content, so every codestream is long enough to damage past its header.
      const bytes = Buffer.from(makeDicom({ rows: 32, columns: 32, bitsAllocated: 8, transferSyntax, pixelFn: (x, y) => (x * 73) ^ (y * 151) }));
      // Overwrite the codestream after its header (the last fragment ends 8 bytes before the end).
      const end = bytes.length - 8;
      for (let i = end - 200; i < end - 20; i++) bytes[i] = (i * 37) & 0xff;
      const reason = frameReason(bytes);
      // Some codecs decode garbage to garbage pixels of the right size; none may crash or escape the typed rejection.
      if (reason !== undefined) expect(reason).toBe('CORRUPT_IMAGE');
    });

  test('a codestream whose size differs from Rows/Columns: CORRUPT_IMAGE before decoding', () => {
    const small = makeDicom({ rows: 16, columns: 16, transferSyntax: 'jpeg2000Lossless' });
    const big = Buffer.from(small);
    // Rows lives in (0028,0010); declare 17 rows.
    const rowsTag = Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00, 0x10, 0x00]);
    const at = big.indexOf(rowsTag);
    big[at + 8] = 17;
    expect(frameReason(big)).toBe('CORRUPT_IMAGE');
  });

  test('12-bit JPEG extended (SOF1, one component) decodes, every frame', () => {
    const options: MakeDicomOptions = { ...base, numberOfFrames: 2, transferSyntax: 'jpegExtended' };
    const bytes = Buffer.from(makeDicom(options));
    // Frame header body: length 11, precision 12, 12 rows, 10 columns.
    expect(bytes.indexOf(Buffer.from([0xff, 0xc1, 0x00, 0x0b, 0x0c, 0x00, 0x0c, 0x00, 0x0a]))).toBeGreaterThan(0);
    const parsed = parseDicom(bytes);
    for (let f = 0; f < 2; f++) {
      const decoded = storedValues(parsed.decodeFrame(f).samples, 12, false);
      const original = frameWords(options, f);
      for (let i = 0; i < original.length; i++) expect(Math.abs(decoded[i] - original[i])).toBeLessThanOrEqual(8);
    }
  });

  test('JPEG extended whose SOF says 12-bit in an 8-bit allocation: CORRUPT_IMAGE', () => {
    const bytes = Buffer.from(makeDicom({ rows: 24, columns: 24, bitsAllocated: 8, transferSyntax: 'jpegExtended' }));
    // Frame header body: length 11, precision 8, 24 rows, 24 columns.
    const sof = bytes.indexOf(Buffer.from([0x00, 0x0b, 0x08, 0x00, 0x18, 0x00, 0x18]));
    expect(sof).toBeGreaterThan(0);
    bytes[sof + 2] = 12;
    expect(frameReason(bytes)).toBe('CORRUPT_IMAGE');
  });

  test('native pixel data under a compressed syntax: INVALID_DICOM', () => {
    // The writer encapsulates compressed syntaxes, so splice a native file's UID instead.
    const bytes = Buffer.from(makeDicom({ rows: 4, columns: 4 }));
    const uid = Buffer.from('1.2.840.10008.1.2.1\0', 'latin1');
    const at = bytes.indexOf(uid);
    Buffer.from('1.2.840.10008.1.2.5\0', 'latin1').copy(bytes, at);
    expect(frameReason(bytes)).toBe('INVALID_DICOM');
  });
});

describe('text and structure quirks', () => {
  test('non-ASCII text in UTF-8 (ISO_IR 192) and Latin-1 parses', () => {
    for (const specificCharacterSet of ['ISO_IR 192', 'ISO_IR 100']) {
      const parsed = parseDicom(makeDicom({ specificCharacterSet, phi: { patientName: 'MÜLLER^ZOË', institution: 'HÔPITAL ÉTÉ' } }));
      expect(parsed.rows).toBe(64);
    }
  });

  test.each(['explicit', 'implicit'] as const)('a sequence of undefined length (%s VR) parses', (transferSyntax) => {
    const parsed = parseDicom(makeDicom({ includeSequence: true, transferSyntax, rows: 4, columns: 4 }));
    expect(parsed.frame1.length).toBe(16);
  });
});
