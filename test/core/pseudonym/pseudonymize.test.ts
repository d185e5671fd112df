import { createHmac } from 'node:crypto';
import { PSEUDONYM_LENGTH, PseudonymNamespace, pseudonymize } from '../../../src/core/pseudonym/pseudonymize';

const key = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const uid = '1.2.826.0.1.3680043.8.498.1.20240102.1';

describe('pseudonymize', () => {
  test('is deterministic', () => {
    expect(pseudonymize(key, PseudonymNamespace.STUDY, uid)).toBe(pseudonymize(Buffer.from(key), 'study', uid));
  });

  test('is lowercase base32 of fixed length', () => {
    expect(pseudonymize(key, 'study', uid)).toMatch(new RegExp(`^[a-z2-7]{${PSEUDONYM_LENGTH}}$`));
    expect(pseudonymize(key, 'study', '')).toMatch(/^[a-z2-7]{26}$/);
  });

  test('separates namespaces', () => {
    const values = Object.values(PseudonymNamespace).map((ns) => pseudonymize(key, ns, uid));
    expect(new Set(values).size).toBe(values.length);
  });

  test('namespace and value boundaries cannot be shifted', () => {
    expect(pseudonymize(key, 'ab', 'c')).not.toBe(pseudonymize(key, 'a', 'bc'));
  });

  test('depends on the key', () => {
    const otherKey = Buffer.from(key);
    otherKey[0] ^= 1; // eslint-disable-line no-bitwise
    expect(pseudonymize(otherKey, 'study', uid)).not.toBe(pseudonymize(key, 'study', uid));
  });

  test('distinct values give distinct pseudonyms', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(pseudonymize(key, 'instance', `${uid}.${i}`));
    expect(seen.size).toBe(5000);
  });

  test('is the RFC 4648 base32 of HMAC-SHA256(key, namespace NUL value)', () => {
    const digest = createHmac('sha256', key).update(`study\0${uid}`).digest();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const bits = Array.from(digest, (b) => b.toString(2).padStart(8, '0')).join('');
    let expected = '';
    for (let i = 0; i < PSEUDONYM_LENGTH; i++) expected += alphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
    expect(pseudonymize(key, 'study', uid)).toBe(expected);
  });

  test('does not contain the value', () => {
    expect(pseudonymize(key, 'object', 'abcdefghijklmnopqrstuvwxyz')).not.toContain('abcdefghij');
  });

  test('refuses a short key and a bad namespace', () => {
    expect(() => pseudonymize(new Uint8Array(8), 'study', uid)).toThrow(RangeError);
    expect(() => pseudonymize(key, '', uid)).toThrow(RangeError);
    expect(() => pseudonymize(key, 'a\0b', uid)).toThrow(RangeError);
  });
});
