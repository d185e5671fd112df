/**
 * Recognising a DICOM Part 10 file by its first bytes. Kept apart from the
 * parser so that sniffing needs no DICOM library.
 */

/** Length of the Part 10 preamble that precedes the "DICM" magic. */
export const PART10_PREAMBLE_LENGTH = 128;
/** Offset of the first File Meta Information element (after preamble and "DICM"). */
export const PART10_HEADER_LENGTH = PART10_PREAMBLE_LENGTH + 4;

const DICM = [0x44, 0x49, 0x43, 0x4d];

/** True when the bytes carry "DICM" after the 128-byte preamble. */
export function hasDicmMagic(bytes: Uint8Array): boolean {
  if (bytes.length < PART10_HEADER_LENGTH) return false;
  for (let i = 0; i < DICM.length; i++) {
    if (bytes[PART10_PREAMBLE_LENGTH + i] !== DICM[i]) return false;
  }
  return true;
}

/**
 * True when the bytes start directly with a File Meta Information element
 * (group 0002, explicit VR LE) — a Part 10 file whose preamble was stripped.
 * Conservative on purpose: the first element must be (0002,0000) UL or
 * (0002,0001) OB, which is how every conforming meta header begins.
 */
export function startsWithFileMetaGroup(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  if (bytes[0] !== 0x02 || bytes[1] !== 0x00) return false;
  if (bytes[3] !== 0x00 || (bytes[2] !== 0x00 && bytes[2] !== 0x01)) return false;
  // Meta elements are always Explicit VR Little Endian (PS3.10 7.1).
  const vr = String.fromCharCode(bytes[4], bytes[5]);
  if (bytes[2] === 0x00) return vr === 'UL' && bytes[6] === 4 && bytes[7] === 0;
  return vr === 'OB';
}

/** True for a Part 10 file with or without its preamble. */
export function looksLikeDicomPart10(bytes: Uint8Array): boolean {
  return hasDicmMagic(bytes) || startsWithFileMetaGroup(bytes);
}

/** A copy of a preamble-less file with an empty preamble and "DICM" in front. */
export function withPart10Preamble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(PART10_HEADER_LENGTH + bytes.length);
  out.set(DICM, PART10_PREAMBLE_LENGTH);
  out.set(bytes, PART10_HEADER_LENGTH);
  return out;
}
