/**
 * Lookup tables given as a sequence item with LUT Descriptor (0028,3002) and
 * LUT Data (0028,3006): the Modality LUT Sequence (0028,3000), PS3.3 C.11.1,
 * from stored values to modality values, and the VOI LUT Sequence (0028,3010),
 * PS3.3 C.11.2.1.1, from modality values to display values. Both only shape
 * the preview, so a malformed table is ignored (the preview falls back to
 * rescale, the window or the percentile window) rather than refused.
 */
import * as dicomParser from 'dicom-parser';
import { readWords } from './native-frame';

export interface LookupTable {
  /** Input value mapped to entry 0; lower values take entry 0, values past the end the last entry. */
  readonly firstMapped: number;
  /** The table, each entry 0..2^bits - 1. */
  readonly entries: Uint16Array;
  /** Bits per entry (8..16): the output range is 0..2^bits - 1. */
  readonly bits: number;
}

/** A VOI LUT: modality values in, display values out. */
export type VoiLut = LookupTable;
/** A Modality LUT: stored values in, modality values out. */
export type ModalityLut = LookupTable;

const MODALITY_LUT_SEQUENCE = 'x00283000';
const VOI_LUT_SEQUENCE = 'x00283010';
const DESCRIPTOR = 'x00283002';
const DATA = 'x00283006';
const MIN_BITS = 8;
const MAX_BITS = 16;

function within(element: dicomParser.Element, bytes: Uint8Array): boolean {
  return element.dataOffset >= 0 && element.dataOffset + element.length <= bytes.length;
}

/**
 * The first VOI LUT of `dataSet`, or undefined when there is none or it is
 * malformed (descriptor shorter than 3 values, bits outside 8..16, data not
 * exactly the descriptor's entries). `inputMayBeNegative`: whether modality
 * values can be negative, in which case the first mapped value is read as SS
 * even when written as US (the standard asks for SS then; writers often
 * keep US).
 */
export function readVoiLut(dataSet: dicomParser.DataSet, inputMayBeNegative: boolean, bigEndian: boolean): VoiLut | undefined {
  return readFirstTable(dataSet, VOI_LUT_SEQUENCE, inputMayBeNegative, bigEndian);
}

/**
 * The Modality LUT of `dataSet`, or undefined when there is none or it is
 * malformed (as for readVoiLut). `signedPixels`: Pixel Representation 1, whose
 * stored values, and so the first mapped value, can be negative.
 */
export function readModalityLut(dataSet: dicomParser.DataSet, signedPixels: boolean, bigEndian: boolean): ModalityLut | undefined {
  return readFirstTable(dataSet, MODALITY_LUT_SEQUENCE, signedPixels, bigEndian);
}

function readFirstTable(dataSet: dicomParser.DataSet, sequence: string, inputMayBeNegative: boolean, bigEndian: boolean): LookupTable | undefined {
  const item = dataSet.elements[sequence]?.items?.[0]?.dataSet;
  const descriptor = item?.elements[DESCRIPTOR];
  const data = item?.elements[DATA];
  if (!item || !descriptor || !data) return undefined;
  const bytes = item.byteArray;
  if (descriptor.length < 6 || !within(descriptor, bytes) || !within(data, bytes)) return undefined;

  const [count, first, bits] = readWords(bytes, descriptor.dataOffset, 3, bigEndian);
  if (bits < MIN_BITS || bits > MAX_BITS) return undefined;
  const size = count === 0 ? 65536 : count;
  const signed = descriptor.vr === 'SS' || inputMayBeNegative;
  const firstMapped = signed && first >= 0x8000 ? first - 0x10000 : first;

  let entries: Uint16Array;
  if (data.length === size * 2) {
    entries = Uint16Array.from(readWords(bytes, data.dataOffset, size, bigEndian));
  } else if (bits === 8 && data.length === size + (size % 2)) {
    // 8-bit entries packed two to a word (8 bits allocated); a big endian OW swaps each pair.
    entries = new Uint16Array(size);
    for (let i = 0; i < size; i++) {
      const at = bigEndian ? i + (i % 2 === 0 ? 1 : -1) : i;
      entries[i] = bytes[data.dataOffset + at];
    }
  } else {
    return undefined;
  }
  return { firstMapped, entries: fitToBits(entries, bits), bits };
}

/**
 * Entries brought into 0..2^bits - 1. 8-bit entries in 16-bit words: some
 * writers use the high byte (as for palettes), so any value above 255 means
 * all are taken from the high byte. Wider entries above the range are clamped.
 */
function fitToBits(entries: Uint16Array, bits: number): Uint16Array {
  const max = 2 ** bits - 1;
  let over = false;
  for (let i = 0; i < entries.length && !over; i++) over = entries[i] > max;
  if (!over) return entries;
  for (let i = 0; i < entries.length; i++) {
    entries[i] = bits === 8 ? Math.floor(entries[i] / 256) : Math.min(entries[i], max);
  }
  return entries;
}
