/**
 * Reads a DICOM Part 10 object (dicom-parser does the parsing) into the
 * DicomDataset model: explicit VRs everywhere (implicit VR input gets them
 * from the dictionary), values little endian (big endian input is swapped).
 */
import * as dicomParser from 'dicom-parser';
import { DicomDataset, DicomElement, KNOWN_VRS, tagElement, tagGroup, Tags } from './dataset';
import { dictionaryVr } from './vr-dictionary';
import { RejectionReason } from '../../shared/events';
import { boundedInflater } from '../dicom/deflate';
import { DicomRejection } from '../dicom/errors';
import { isStackOverflow, nestedTooDeeply } from '../dicom/nesting';

export interface ReadPart10 {
  readonly transferSyntaxUid: string;
  readonly dataset: DicomDataset;
}

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

/** Bytes per number of the VRs whose values change with byte order. */
const WORD_SIZE: Readonly<Record<string, number>> = {
  US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8,
};

export interface ReadPart10Options {
  /** Largest inflated data set of a deflated object. @default 1 GiB */
  readonly maxInflatedBytes?: number;
}

/** Reads a Part 10 object that has its 128-byte preamble and "DICM". Throws `DicomRejection` when it cannot. */
export function readPart10(bytes: Uint8Array, options: ReadPart10Options = {}): ReadPart10 {
  let parsed: dicomParser.DataSet;
  try {
    parsed = dicomParser.parseDicom(bytes, {
      vrCallback: (tag: string) => dictionaryVr(parseInt(tag.slice(1), 16)),
      inflater: boundedInflater(options.maxInflatedBytes ?? 2 ** 30),
    });
  } catch (e) {
    if (e instanceof DicomRejection) throw e;
    if (isStackOverflow(e)) throw nestedTooDeeply();
    // dicom-parser throws strings that may quote the data; none of it is passed on.
    throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM data set could not be read for de-identification');
  }
  const transferSyntaxUid = parsed.string('x00020010');
  if (!transferSyntaxUid) throw new DicomRejection(RejectionReason.INVALID_DICOM, 'DICOM transfer syntax is missing');
  const context = {
    implicit: transferSyntaxUid === IMPLICIT_VR_LITTLE_ENDIAN,
    bigEndian: transferSyntaxUid === EXPLICIT_VR_BIG_ENDIAN,
  };
  return { transferSyntaxUid, dataset: readDataset(parsed, context, 0) };
}

interface ReadContext {
  readonly implicit: boolean;
  readonly bigEndian: boolean;
}

/** Nesting deeper than this is refused (no real object comes close; it bounds recursion on hostile input). */
const MAX_DEPTH = 32;

function readDataset(dataSet: dicomParser.DataSet, context: ReadContext, depth: number): DicomDataset {
  if (depth > MAX_DEPTH) throw nestedTooDeeply();
  const elements: DicomElement[] = [];
  const bitsAllocated = dataSet.uint16('x00280100');
  for (const element of Object.values(dataSet.elements)) {
    const tag = parseInt(element.tag.slice(1), 16);
    // File Meta is rebuilt by the writer; group lengths would be stale.
    if (tagGroup(tag) === 0x0002 || tagElement(tag) === 0) continue;
    elements.push(readElement(dataSet, element, tag, context, depth, bitsAllocated));
  }
  return elements.sort((a, b) => a.tag - b.tag);
}

function readElement(
  dataSet: dicomParser.DataSet,
  element: dicomParser.Element,
  tag: number,
  context: ReadContext,
  depth: number,
  bitsAllocated: number | undefined,
): DicomElement {
  const vr = elementVr(element, tag, context, bitsAllocated);
  if (element.items !== undefined) {
    return {
      tag,
      vr: 'SQ',
      items: element.items.map((item) => (item.dataSet ? readDataset(item.dataSet, context, depth + 1) : [])),
    };
  }
  const bytes = dataSet.byteArray;
  const start = Math.min(element.dataOffset, bytes.length);
  const end = Math.min(start + element.length, bytes.length);
  if (element.encapsulatedPixelData) {
    return { tag, vr: 'OB', encapsulated: withDelimiter(bytes.subarray(start, end)) };
  }
  const raw = bytes.subarray(start, end);
  return { tag, vr, value: context.bigEndian ? toLittleEndian(raw, WORD_SIZE[vr]) : raw };
}

function elementVr(element: dicomParser.Element, tag: number, context: ReadContext, bitsAllocated: number | undefined): string {
  if (element.items !== undefined) return 'SQ';
  if (!context.implicit && element.vr !== undefined) return KNOWN_VRS.has(element.vr) ? element.vr : 'UN';
  if (tag === Tags.PIXEL_DATA || (Math.floor(tagGroup(tag) / 0x100) === 0x60 && tagElement(tag) === 0x3000)) {
    return bitsAllocated !== undefined && bitsAllocated > 8 ? 'OW' : 'OB';
  }
  return element.vr ?? dictionaryVr(tag) ?? 'UN';
}

/** Encapsulated pixel data as read; a missing Sequence Delimitation Item (cut file) is added. */
function withDelimiter(value: Uint8Array): Uint8Array {
  const tail = value.subarray(Math.max(0, value.length - SEQUENCE_DELIMITER.length));
  if (tail.length === SEQUENCE_DELIMITER.length && SEQUENCE_DELIMITER.every((b, i) => tail[i] === b)) return value;
  return Buffer.concat([value, Uint8Array.from(SEQUENCE_DELIMITER)]);
}

/** A little-endian copy of big-endian words (one copy, only for big endian input). */
function toLittleEndian(value: Uint8Array, wordSize: number | undefined): Uint8Array {
  if (wordSize === undefined) return value;
  const out = new Uint8Array(value.length);
  const whole = value.length - (value.length % wordSize);
  for (let i = 0; i < whole; i += wordSize) {
    for (let b = 0; b < wordSize; b++) out[i + b] = value[i + wordSize - 1 - b];
  }
  out.set(value.subarray(whole), whole);
  return out;
}
