/**
 * Deterministic UID replacement: `2.25.<decimal of the first 128 bits of
 * HMAC-SHA256(key, "dicom-uid" NUL uid)>` (a UUID-form OID, PS3.5 B.2). The same
 * key and UID always give the same new UID, so one study stays one study
 * across uploads; without the key the original cannot be recovered or confirmed.
 */
import { createHmac } from 'node:crypto';

const NAMESPACE = 'dicom-uid';

export function remapUid(key: Uint8Array, uid: string): string {
  const digest = createHmac('sha256', key).update(NAMESPACE, 'utf8').update('\0').update(uid, 'latin1').digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
}

/** Remaps each value of a multi-valued UI (values separated by backslash); empty values stay empty. */
export function remapUidValues(key: Uint8Array, value: string, cache: Map<string, string>): string {
  return value.split('\\').map((uid) => {
    const trimmed = uid.replace(/[\0 ]+$/, '').trim();
    if (trimmed === '') return '';
    let mapped = cache.get(trimmed);
    if (mapped === undefined) {
      mapped = remapUid(key, trimmed);
      cache.set(trimmed, mapped);
    }
    return mapped;
  }).join('\\');
}
