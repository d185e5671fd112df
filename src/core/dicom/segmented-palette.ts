/**
 * Segmented Palette Color Lookup Table Data (0028,1221-1223), PS3.3 C.7.9.2:
 * discrete (0), linear (1) and indirect (2) segments expanded into a plain
 * table of the descriptor's length. The input is untrusted, so the work is
 * bounded by the data's length plus the entry count: output never exceeds the
 * descriptor's entries, an indirect segment may only copy discrete or linear
 * segments (the standard forbids copying an indirect one, which is also what
 * rules out loops), and the segments visited are counted.
 */
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { readWords } from './native-frame';
import { RejectionReason } from '../../shared/events';

const DISCRETE = 0;
const LINEAR = 1;
const INDIRECT = 2;

function invalid(message: string): never {
  throw new DicomRejection(RejectionReason.INVALID_DICOM, `DICOM segmented palette lookup table ${message}`);
}

/** Units a segment occupies: opcode, length, then its values or its 32-bit byte offset. */
function segmentSize(units: ArrayLike<number>, start: number, unitBytes: 1 | 2): number {
  switch (units[start]) {
    case DISCRETE: return 2 + units[start + 1];
    case LINEAR: return 3;
    case INDIRECT: return 2 + 4 / unitBytes;
    default: return invalid('has an unknown segment type');
  }
}

/** The indirect segment's byte offset, least significant half first. */
function byteOffset(units: ArrayLike<number>, at: number, unitBytes: 1 | 2): number {
  return unitBytes === 2
    ? units[at] + units[at + 1] * 0x10000
    : units[at] + units[at + 1] * 0x100 + units[at + 2] * 0x10000 + units[at + 3] * 0x1000000;
}

/**
 * Expands segmented data of 16-bit units (the usual layout) or 8-bit units
 * (8-bit entries stored as 8 bits allocated) into exactly `entries` values.
 * Throws INVALID_DICOM when the data is malformed or does not expand to
 * exactly `entries` values. A single trailing unit is taken as padding.
 */
export function expandSegmentedLut(units: ArrayLike<number>, entries: number, unitBytes: 1 | 2 = 2): Uint16Array {
  // Segment boundaries first, so an indirect segment can be checked to point at one.
  const isStart = new Uint8Array(units.length);
  let end = 0;
  while (end + 1 < units.length) {
    isStart[end] = 1;
    const size = segmentSize(units, end, unitBytes);
    if (end + size > units.length) invalid('has a segment running past its end');
    end += size;
  }

  const out = new Uint16Array(entries);
  let n = 0;
  let visits = 0;
  const expand = (start: number): void => {
    // Zero-length segments produce nothing, so visits are bounded separately from the output.
    if (++visits > entries + units.length) invalid('takes too long to expand');
    const length = units[start + 1];
    if (n + length > entries) invalid('expands past its descriptor\'s entry count');
    if (units[start] === DISCRETE) {
      for (let i = 0; i < length; i++) out[n++] = units[start + 2 + i];
      return;
    }
    if (n === 0) invalid('starts with a linear segment');
    // (X0, Y0) is the previous entry; this segment's last entry is Y1.
    const y0 = out[n - 1];
    const y1 = units[start + 2];
    for (let i = 1; i <= length; i++) out[n++] = Math.round(y0 + ((y1 - y0) * i) / length);
  };

  for (let at = 0; at < end; at += segmentSize(units, at, unitBytes)) {
    if (units[at] !== INDIRECT) {
      expand(at);
      continue;
    }
    const offset = byteOffset(units, at + 2, unitBytes);
    if (offset % unitBytes !== 0) invalid('has an indirect segment at an odd byte offset');
    let target = offset / unitBytes;
    for (let copied = 0; copied < units[at + 1]; copied++) {
      if (target >= end || isStart[target] !== 1) invalid('has an indirect segment that does not point at a segment');
      if (units[target] === INDIRECT) invalid('has an indirect segment that copies an indirect segment');
      expand(target);
      target += segmentSize(units, target, unitBytes);
    }
  }
  if (n !== entries) invalid('is shorter than its descriptor');
  return out;
}

/**
 * One channel's segmented data expanded to `entries` 16-bit values. 8-bit
 * tables are tried as 16-bit units first, then as bytes; TRUNCATED_DICOM when
 * the element runs past the data.
 */
export function readSegmentedChannel(bytes: Uint8Array, element: dicomParser.Element, entries: number, bits: number,
  bigEndian: boolean): Uint16Array {
  if (element.dataOffset + element.length > bytes.length) {
    throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM segmented palette lookup table is cut off');
  }
  const words = readWords(bytes, element.dataOffset, Math.floor(element.length / 2), bigEndian);
  if (bits !== 8) return expandSegmentedLut(words, entries);
  try {
    return expandSegmentedLut(words, entries);
  } catch (asWords) {
    // The bytes in value order: a big endian OW swaps each pair, so swap them back.
    const packed = new Uint8Array(words.length * 2);
    for (let i = 0; i < words.length; i++) {
      packed[2 * i] = words[i] % 256;
      packed[2 * i + 1] = Math.floor(words[i] / 256);
    }
    try {
      return expandSegmentedLut(packed, entries, 1);
    } catch {
      throw asWords;
    }
  }
}
