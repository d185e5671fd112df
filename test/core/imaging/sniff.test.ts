import { sniffImageKind } from '../../../src/core/imaging/sniff';
import { makeDicom, makeJpeg, makePng } from '../../fixtures/images';

describe('sniffImageKind', () => {
  const gradient = (x: number) => x * 8;

  test.each([
    ['dicom', makeDicom()],
    ['dicom', makeDicom({ transferSyntax: 'implicit' })],
    ['dicom', makeDicom({ preamble: false })],
    ['png', makePng(8, 8, gradient)],
    ['jpeg', makeJpeg(8, 8, gradient)],
    ['empty', new Uint8Array(0)],
    ['unknown', Buffer.from('Patient: DOE^JANE\nthis is a text file named scan.dcm\n')],
  ])('recognises %s by its bytes', (kind, bytes) => {
    expect(sniffImageKind(bytes)).toBe(kind);
  });

  test('DICM at the wrong offset is not DICOM', () => {
    const bytes = Buffer.alloc(200);
    bytes.write('DICM', 0, 'latin1');
    expect(sniffImageKind(bytes)).toBe('unknown');
  });

  test('a group 0002 start with an unexpected VR is not taken for DICOM', () => {
    const bytes = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x41, 0x42, 0x04, 0x00, 0, 0, 0, 0, 0, 0]);
    expect(sniffImageKind(bytes)).toBe('unknown');
  });

  test('a truncated PNG signature is unknown', () => {
    expect(sniffImageKind(makePng(4, 4, gradient).subarray(0, 5))).toBe('unknown');
  });
});
