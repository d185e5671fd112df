/**
 * Issue 13 item 12: sequences nested past the limit are INVALID_DICOM with
 * that reason, whether the parser's recursion gives out (thousands deep) or
 * the de-identification's depth limit (32) is passed first.
 */
import { deeplyNestedDicom } from './generators';
import { readPart10 } from '../../../src/core/deid/read-dataset';
import { parseDicom } from '../../../src/core/dicom/parse';
import { InputRejection } from '../../../src/shared/rejection';

function rejectionOf(run: () => unknown): { reasonCode: string; message: string } | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof InputRejection) return { reasonCode: e.reasonCode, message: e.message };
    throw e;
  }
  return undefined;
}

const TOO_DEEP = { reasonCode: 'INVALID_DICOM', message: 'DICOM sequences are nested too deeply' };

test.each([100_000, 20_000])('%i levels: the parser refuses it as nested too deeply, not as truncated', (depth) => {
  expect(rejectionOf(() => parseDicom(deeplyNestedDicom(depth)))).toEqual(TOO_DEEP);
  expect(rejectionOf(() => readPart10(deeplyNestedDicom(depth)))).toEqual(TOO_DEEP);
});

test('40 levels: parsed, then refused by the de-identification\'s depth limit with the same reason', () => {
  expect(parseDicom(deeplyNestedDicom(40)).rows).toBe(8);
  expect(rejectionOf(() => readPart10(deeplyNestedDicom(40)))).toEqual(TOO_DEEP);
  expect(readPart10(deeplyNestedDicom(30)).dataset.length).toBeGreaterThan(0);
});
