/* eslint-disable no-bitwise -- a 32-bit little-endian length is assembled from bytes */
/**
 * How a data set's elements are actually encoded, read from its first element
 * (the File Meta Information may be absent or may declare the wrong VR form).
 * Little endian only: big endian is never sniffed, only declared.
 */

/** Explicit VR (tag, two-letter VR, length) or implicit VR (tag, 32-bit length). */
export type ElementEncoding = 'explicit' | 'implicit';

/** The value representations of PS3.5 Table 6.2-1. */
const VALUE_REPRESENTATIONS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

const UNDEFINED_LENGTH = 0xffffffff;

/**
 * The encoding of the element at `offset`: explicit when a known VR follows the
 * tag, implicit when a 32-bit length follows that is undefined or fits in the
 * bytes, else undefined (not an element start we can vouch for).
 */
export function elementEncodingAt(bytes: Uint8Array, offset: number): ElementEncoding | undefined {
  if (offset < 0 || bytes.length < offset + 8) return undefined;
  const vr = String.fromCharCode(bytes[offset + 4], bytes[offset + 5]);
  if (VALUE_REPRESENTATIONS.has(vr)) return 'explicit';
  const length = (bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24)) >>> 0;
  if (length === UNDEFINED_LENGTH || offset + 8 + length <= bytes.length) return 'implicit';
  return undefined;
}

/**
 * The encoding of a bare data set (no preamble, no File Meta Information), as
 * older modalities and some archives write: it must begin with a group 0008
 * element (Identifying), little endian, explicit or implicit VR.
 */
export function bareDataSetEncoding(bytes: Uint8Array): ElementEncoding | undefined {
  if (bytes.length < 8 || bytes[0] !== 0x08 || bytes[1] !== 0x00) return undefined;
  return elementEncodingAt(bytes, 0);
}
