/**
 * Progressive JPEG scan count is bounded before decoding (issue 13 item 9):
 * every scan is a pass over the whole image, and a file of thousands of tiny
 * scans keeps jpeg-js and libjpeg-turbo busy for minutes. The scans are
 * counted in a header pass and a file over MAX_JPEG_SCANS is TOO_LARGE, both
 * as a plain JPEG (jpeg-js) and as a DICOM frame (libjpeg-turbo). Progressive
 * files are made by dcmtk's dcmcjpeg (an independent encoder).
 */
import { progressiveJpeg, sosOffsets, withScans } from './progressive-jpeg';
import { decodeJpegBaseline } from '../../../src/core/codecs/jpeg-baseline';
import { countJpegScans, hasTooManyJpegScans, MAX_JPEG_SCANS } from '../../../src/core/codecs/jpeg-header';
import { decodeJpeg } from '../../../src/core/imaging/jpeg';
import { encodeJpegExtended12 } from '../../fixtures/encoders/jpeg-extended12';
import { makeJpeg } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';
import { renderWithDcmtk, requireDcmtk } from '../conformance/dcmtk-reference';

requireDcmtk();

const SIZE = 64;
const geometry = { rows: SIZE, columns: SIZE, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false };

const { dicom: progressiveDicom, codestream: progressive } = progressiveJpeg(SIZE);

test('counts the scans of real files: dcmcjpeg progressive, jpeg-js baseline, and restart markers inside a scan', () => {
  expect(progressive[progressive.indexOf(Buffer.from([0xff, 0xc2])) + 1]).toBe(0xc2);
  const scans = sosOffsets(progressive).length;
  expect(scans).toBeGreaterThan(1);
  expect(countJpegScans(progressive)).toBe(scans);
  expect(countJpegScans(makeJpeg(40, 30, (x, y, c) => x * 5 + y * c))).toBe(1);
  const words = Uint16Array.from({ length: SIZE * SIZE }, (_, i) => (i * 37) % 4096);
  const restarts = Buffer.from(encodeJpegExtended12(words, { ...geometry, bitsAllocated: 16, bitsStored: 12 }, { restartInterval: 2 }));
  expect(restarts.indexOf(Buffer.from([0xff, 0xd0]))).toBeGreaterThan(0);
  expect(countJpegScans(restarts)).toBe(1);
});

test('a progressive file within the limit decodes in both decoders as dcmtk decodes it', () => {
  // dcmj2pnm without windowing writes the decoded 8-bit samples as they are.
  const reference = renderWithDcmtk(progressiveDicom).data;
  const [jpegJs, libjpeg] = [decodeJpeg(progressive).data, decodeJpegBaseline(progressive, geometry)];
  for (const decoded of [jpegJs, libjpeg]) {
    expect(decoded).toHaveLength(SIZE * SIZE);
    // The same codestream: the same image up to IDCT rounding.
    expect(Math.max(...Array.from(decoded, (v, i) => Math.abs(v - reference[i])))).toBeLessThanOrEqual(2);
  }
});

test(`the limit is ${MAX_JPEG_SCANS} scans`, () => {
  expect(hasTooManyJpegScans(withScans(progressive, MAX_JPEG_SCANS))).toBe(false);
  expect(hasTooManyJpegScans(withScans(progressive, MAX_JPEG_SCANS + 1))).toBe(true);
});

test('8,000 scans are TOO_LARGE before decoding, as a JPEG image and as a DICOM frame, in well under a second', () => {
  const hostile = withScans(progressive, 8000);
  const started = process.hrtime.bigint();
  expect(reasonOf(() => decodeJpeg(hostile))).toBe('TOO_LARGE');
  expect(reasonOf(() => decodeJpegBaseline(hostile, geometry))).toBe('TOO_LARGE');
  expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
});
