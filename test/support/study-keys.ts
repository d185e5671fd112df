/** Study keys shaped like the real ones (26-character keyed pseudonyms), so published events match their schemas. */
import { pseudonymize } from '../../src/core/pseudonym/pseudonymize';

const TEST_PSEUDONYM_KEY = new Uint8Array(Buffer.from('test-study-keys-pseudonym-key-0123456789'));

/** The same label always gives the same key. */
export function testStudyKey(label: string): string {
  return pseudonymize(TEST_PSEUDONYM_KEY, 'test-study', label);
}
