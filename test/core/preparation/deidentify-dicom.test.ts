import { Tags } from '../../../src/core/deid/dataset';
import { readPart10 } from '../../../src/core/deid/read-dataset';
import { deidentifyForIngest } from '../../../src/core/preparation/deidentify-dicom';
import { makeDicom, presets } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';

const key = Buffer.alloc(32, 7);
const dicom = { burnedInAnnotation: 'NO', modality: 'CT' };

describe('deidentifyForIngest inflate bound', () => {
  const deflated = makeDicom({ ...presets.multiFrame(), transferSyntax: 'deflated' });

  test('a deflated object within the bound is de-identified and written deflated again, pixel data intact', () => {
    const result = deidentifyForIngest(deflated, dicom, key, undefined, 128 * 128 * 2 * 10 * 2);
    const written = readPart10(result.deidentifiedDicom);
    expect(written.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    // Stored compressed: smaller than the 10 frames of 128x128 bytes it holds.
    expect(result.deidentifiedDicom.length).toBeLessThan(128 * 128 * 10);
    const original = readPart10(deflated);
    const pixels = (read: typeof original) => read.dataset.find((e) => e.tag === Tags.PIXEL_DATA)?.value;
    expect(pixels(written)?.length).toBe(128 * 128 * 10);
    expect(Buffer.compare(pixels(written)!, pixels(original)!)).toBe(0);
  });

  test('a deflated object inflating past the bound is TOO_LARGE, before the Part 10 write', () => {
    expect(reasonOf(() => deidentifyForIngest(deflated, dicom, key, undefined, 128 * 128 * 10 - 1))).toBe('TOO_LARGE');
  });
});
