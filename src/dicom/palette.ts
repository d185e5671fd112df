/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
/**
 * PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5-6): descriptor (entries,
 * first stored value mapped, bits per entry) and data per channel, read
 * into 8-bit display tables.
 */
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { readWords } from './native-frame';
import { RejectionReason } from '../shared/events';

export interface PaletteLut {
  /** Stored value that maps to entry 0; lower values take entry 0, higher ones the last entry. */
  readonly firstMapped: number;
  readonly red: Uint8Array;
  readonly green: Uint8Array;
  readonly blue: Uint8Array;
}

const DESCRIPTOR = ['x00281101', 'x00281102', 'x00281103'];
const DATA = ['x00281201', 'x00281202', 'x00281203'];
const SEGMENTED_RED = 'x00281221';

function invalid(message: string): never {
  throw new DicomRejection(RejectionReason.INVALID_DICOM, message);
}

function readChannel(dataSet: dicomParser.DataSet, channel: number, signedIndices: boolean,
  bigEndian: boolean): { firstMapped: number; table: Uint8Array } {
  const descriptorTag = DESCRIPTOR[channel];
  const count = dataSet.uint16(descriptorTag, 0);
  const first = dataSet.uint16(descriptorTag, 1);
  const bits = dataSet.uint16(descriptorTag, 2);
  const element = dataSet.elements[DATA[channel]];
  if (count === undefined || first === undefined || bits === undefined || !element) invalid('DICOM palette lookup table is missing');
  if (bits !== 8 && bits !== 16) invalid('DICOM palette lookup table entry size is invalid');
  const entries = count === 0 ? 65536 : count;
  // The first mapped value is US or SS like the pixels it indexes.
  const firstMapped = signedIndices && first >= 0x8000 ? first - 0x10000 : first;
  const bytes = dataSet.byteArray;
  if (element.dataOffset + element.length > bytes.length) throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM palette lookup table is cut off');

  const table = new Uint8Array(entries);
  if (bits === 8 && element.length < entries * 2) {
    // 8-bit entries packed one per byte.
    if (element.length < entries) invalid('DICOM palette lookup table is shorter than its descriptor');
    table.set(bytes.subarray(element.dataOffset, element.dataOffset + entries));
    return { firstMapped, table };
  }
  if (element.length < entries * 2) invalid('DICOM palette lookup table is shorter than its descriptor');
  const words = readWords(bytes, element.dataOffset, entries, bigEndian);
  // 8-bit entries in 16-bit words: some writers use the low byte, some the high one.
  let highByte = bits === 16;
  if (bits === 8) for (let i = 0; i < entries && !highByte; i++) highByte = words[i] > 0xff;
  for (let i = 0; i < entries; i++) table[i] = highByte ? words[i] >> 8 : words[i];
  return { firstMapped, table };
}

/** The three tables; INVALID_DICOM when missing or inconsistent, UNSUPPORTED_FORMAT when only segmented tables exist. */
export function readPalette(dataSet: dicomParser.DataSet, signedIndices: boolean, bigEndian: boolean): PaletteLut {
  if (!dataSet.elements[DATA[0]] && dataSet.elements[SEGMENTED_RED]) {
    throw new DicomRejection(RejectionReason.UNSUPPORTED_FORMAT, 'DICOM segmented palette lookup tables are not supported');
  }
  const [red, green, blue] = [0, 1, 2].map((c) => readChannel(dataSet, c, signedIndices, bigEndian));
  if (red.firstMapped !== green.firstMapped || red.firstMapped !== blue.firstMapped) invalid('DICOM palette lookup tables disagree');
  return { firstMapped: red.firstMapped, red: red.table, green: green.table, blue: blue.table };
}
