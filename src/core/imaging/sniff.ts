import { bareDataSetEncoding } from '../dicom/element-encoding';
import { looksLikeDicomPart10 } from '../dicom/part10';

export type ImageKind = 'dicom' | 'png' | 'jpeg' | 'empty' | 'unknown';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[i] !== prefix[i]) return false;
  }
  return true;
}

/**
 * What kind of image the bytes hold, decided by magic bytes only (an object's
 * name or Content-Type is not evidence). DICOM is "DICM" at offset 128, or a
 * preamble-less file that starts with a File Meta Information element, or a
 * bare data set (no meta) that starts with a group 0008 element.
 */
export function sniffImageKind(bytes: Uint8Array): ImageKind {
  if (bytes.length === 0) return 'empty';
  if (looksLikeDicomPart10(bytes) || bareDataSetEncoding(bytes)) return 'dicom';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  // SOI followed by the first marker's 0xFF.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  return 'unknown';
}
