import { deidentifyForIngest } from '../../../src/core/preparation/deidentify-dicom';
import { InputRejection } from '../../../src/shared/rejection';
import { makeDicom, presets } from '../../fixtures/images';

const key = Buffer.alloc(32, 7);
const dicom = { burnedInAnnotation: 'NO', modality: 'CT' };

function rejectionCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof InputRejection) return e.reasonCode;
    throw e;
  }
  return undefined;
}

describe('deidentifyForIngest inflate bound', () => {
  const deflated = makeDicom({ ...presets.multiFrame(), transferSyntax: 'deflated' });

  test('a deflated object within the bound is de-identified', () => {
    const result = deidentifyForIngest(deflated, dicom, key, undefined, 128 * 128 * 2 * 10 * 2);
    expect(result.deidentifiedDicom.length).toBeGreaterThan(128 * 128 * 10);
  });

  test('a deflated object inflating past the bound is TOO_LARGE, before the Part 10 write', () => {
    expect(rejectionCode(() => deidentifyForIngest(deflated, dicom, key, undefined, 128 * 128 * 10 - 1))).toBe('TOO_LARGE');
  });
});
