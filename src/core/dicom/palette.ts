/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
/**
 * PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5-6): descriptor (entries,
 * first stored value mapped, bits per entry) and data per channel, plain or
 * segmented (C.7.9.2), read into 8-bit display tables.
 */
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { readWords } from './native-frame';
import { readSegmentedChannel } from './segmented-palette';
import { RejectionReason } from '../../shared/events';

export interface PaletteLut {
  /** Stored value that maps to entry 0; lower values take entry 0, higher ones the last entry. */
  readonly firstMapped: number;
  readonly red: Uint8Array;
  readonly green: Uint8Array;
  readonly blue: Uint8Array;
}

const DESCRIPTOR = ['x00281101', 'x00281102', 'x00281103'];
const DATA = ['x00281201', 'x00281202', 'x00281203'];
const SEGMENTED_DATA = ['x00281221', 'x00281222', 'x00281223'];

function invalid(message: string): never {
  throw new DicomRejection(RejectionReason.INVALID_DICOM, message);
}

function readChannel(dataSet: dicomParser.DataSet, channel: number, signedIndices: boolean,
  bigEndian: boolean): { firstMapped: number; table: Uint8Array } {
  const descriptorTag = DESCRIPTOR[channel];
  // Shorter than three values, the reads below would run into the next element.
  const descriptorLength = dataSet.elements[descriptorTag]?.length ?? 0;
  const count = descriptorLength >= 6 ? dataSet.uint16(descriptorTag, 0) : undefined;
  const first = dataSet.uint16(descriptorTag, 1);
  const bits = dataSet.uint16(descriptorTag, 2);
  const element = dataSet.elements[DATA[channel]];
  // Segmented data stands in for the plain data only when the plain data is absent (C.7.6.3.1.6).
  const segmented = element ? undefined : dataSet.elements[SEGMENTED_DATA[channel]];
  if (count === undefined || first === undefined || bits === undefined || (!element && !segmented)) {
    invalid('DICOM palette lookup table is missing');
  }
  if (bits !== 8 && bits !== 16) invalid('DICOM palette lookup table entry size is invalid');
  const entries = count === 0 ? 65536 : count;
  // The first mapped value is US or SS like the pixels it indexes.
  const firstMapped = signedIndices && first >= 0x8000 ? first - 0x10000 : first;
  const bytes = dataSet.byteArray;
  if (segmented) return { firstMapped, table: displayTable(readSegmentedChannel(bytes, segmented, entries, bits, bigEndian), bits) };
  if (element.dataOffset + element.length > bytes.length) throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM palette lookup table is cut off');

  if (bits === 8 && element.length < entries * 2) {
    // 8-bit entries packed one per byte.
    if (element.length < entries) invalid('DICOM palette lookup table is shorter than its descriptor');
    const table = new Uint8Array(entries);
    table.set(bytes.subarray(element.dataOffset, element.dataOffset + entries));
    return { firstMapped, table };
  }
  if (element.length < entries * 2) invalid('DICOM palette lookup table is shorter than its descriptor');
  return { firstMapped, table: displayTable(readWords(bytes, element.dataOffset, entries, bigEndian), bits) };
}

/** 16-bit words of 8- or 16-bit entries -> 8-bit display values. */
function displayTable(words: Uint16Array, bits: 8 | 16): Uint8Array {
  const table = new Uint8Array(words.length);
  // 8-bit entries in 16-bit words: some writers use the low byte, some the high one.
  let highByte = bits === 16;
  if (bits === 8) for (let i = 0; i < words.length && !highByte; i++) highByte = words[i] > 0xff;
  for (let i = 0; i < words.length; i++) table[i] = highByte ? words[i] >> 8 : words[i];
  return table;
}

/** The three tables, plain or segmented; INVALID_DICOM when missing, malformed or inconsistent. */
export function readPalette(dataSet: dicomParser.DataSet, signedIndices: boolean, bigEndian: boolean): PaletteLut {
  const [red, green, blue] = [0, 1, 2].map((c) => readChannel(dataSet, c, signedIndices, bigEndian));
  if (red.firstMapped !== green.firstMapped || red.firstMapped !== blue.firstMapped) invalid('DICOM palette lookup tables disagree');
  return { firstMapped: red.firstMapped, red: red.table, green: green.table, blue: blue.table };
}
