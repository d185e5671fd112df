import { createHmac } from 'node:crypto';

/** Namespaces in use; a value pseudonymized in two namespaces gives unrelated results. */
export const PseudonymNamespace = {
  STUDY: 'study',
  SERIES: 'series',
  INSTANCE: 'instance',
  /** Plain images without UIDs, keyed by the SHA-256 of their bytes. */
  OBJECT: 'object',
  /** Where a refused upload was (bucket, key, version): names the REJECTED record and the quarantine copy. */
  UPLOAD_LOCATION: 'upload-location',
} as const;

/** Characters of a pseudonym: 26 base32 characters carry 130 bits of the HMAC. */
export const PSEUDONYM_LENGTH = 26;
/** Shortest accepted key (128 bits). */
export const MIN_PSEUDONYM_KEY_BYTES = 16;

/** RFC 4648 base32 alphabet, lower-cased: safe in S3 keys, DynamoDB keys and execution names. */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const FIVE_BYTES = 5;
const BASE32_DIGITS_PER_GROUP = 8;

/**
 * Keyed, deterministic pseudonym: HMAC-SHA256(key, namespace NUL value) in
 * lowercase base32, truncated to `PSEUDONYM_LENGTH`. Without the key the
 * original value cannot be recovered or confirmed.
 */
export function pseudonymize(key: Uint8Array, namespace: string, value: string): string {
  if (key.length < MIN_PSEUDONYM_KEY_BYTES) throw new RangeError(`pseudonym key must be at least ${MIN_PSEUDONYM_KEY_BYTES} bytes`);
  if (namespace.length === 0 || namespace.includes('\0')) throw new RangeError('namespace must be non-empty and contain no NUL');
  // The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
  const digest = createHmac('sha256', key).update(namespace, 'utf8').update('\0').update(value, 'utf8').digest();
  return base32(digest).slice(0, PSEUDONYM_LENGTH);
}

/** Base32 in 40-bit groups with plain arithmetic (exact in a double). Trailing partial group dropped. */
function base32(bytes: Uint8Array): string {
  let out = '';
  for (let g = 0; g + FIVE_BYTES <= bytes.length; g += FIVE_BYTES) {
    let group = 0;
    for (let i = 0; i < FIVE_BYTES; i++) group = group * 256 + bytes[g + i];
    let digits = '';
    for (let d = 0; d < BASE32_DIGITS_PER_GROUP; d++) {
      digits = BASE32[group % 32] + digits;
      group = Math.floor(group / 32);
    }
    out += digits;
  }
  return out;
}
