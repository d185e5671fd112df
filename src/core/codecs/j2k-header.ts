/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
import { FrameGeometry } from './frame';
import { corruptFrame } from './rejection';
/**
 * Reads the image size from a JPEG 2000 / HTJ2K codestream's SIZ marker
 * (ISO 15444-1 A.5.1) without decoding, so the codec is never handed a
 * frame bigger than the DICOM header declared.
 */
export interface J2kSize {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  /** Bit depth of component 0. */
  readonly precision: number;
}

function uint32(bytes: Uint8Array, i: number): number {
  return ((bytes[i] * 256 + bytes[i + 1]) * 256 + bytes[i + 2]) * 256 + bytes[i + 3];
}

/** The size, or undefined when the bytes do not start with SOC followed by SIZ. */
export function readJ2kSize(bytes: Uint8Array): J2kSize | undefined {
  // SOC (FF4F), SIZ (FF51), Lsiz, Rsiz, then Xsiz Ysiz XOsiz YOsiz (4 bytes each), tiles (16 bytes), Csiz, Ssiz...
  if (bytes.length < 43 || bytes[0] !== 0xff || bytes[1] !== 0x4f || bytes[2] !== 0xff || bytes[3] !== 0x51) return undefined;
  const width = uint32(bytes, 8) - uint32(bytes, 16);
  const height = uint32(bytes, 12) - uint32(bytes, 20);
  const components = bytes[40] * 256 + bytes[41];
  if (width <= 0 || height <= 0) return undefined;
  return { rows: height, columns: width, components, precision: (bytes[42] & 0x7f) + 1 };
}

/**
 * Refuses (CORRUPT_IMAGE) a codestream whose size disagrees with the DICOM
 * header, before the codec allocates for it.
 */
export function assertJ2kMatches(encoded: Uint8Array, geometry: FrameGeometry, codecName: string): void {
  const size = readJ2kSize(encoded);
  if (!size || size.rows !== geometry.rows || size.columns !== geometry.columns || size.components !== geometry.samplesPerPixel
    || size.precision > geometry.bitsAllocated) {
    corruptFrame(codecName);
  }
}
