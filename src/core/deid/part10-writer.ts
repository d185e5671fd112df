/**
 * Writes a DicomDataset as a DICOM Part 10 file: 128-byte preamble, "DICM",
 * File Meta Information (group 0002, explicit VR little endian, with its group
 * length), then the data set in explicit VR little endian. Values are padded
 * to even length by VR (UI with NUL, text with space, binary with 0); sequences
 * and items get defined or undefined lengths. Output is built as a list of
 * chunks joined once, so pixel data is copied exactly once; when the meta
 * names Deflated Explicit VR Little Endian, the data set is deflated chunk by
 * chunk and pixel data is not copied at all (only its compressed form is kept).
 */
import { DicomDataset, DicomElement, tagElement, tagGroup, TEXT_VRS } from './dataset';
import { deflateParts } from '../dicom/deflate';
import { TransferSyntax } from '../dicom/transfer-syntax';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Implementation Class UID of this library (a UUID-derived 2.25 UID, fixed forever). */
export const IMPLEMENTATION_CLASS_UID = '2.25.242046664020000987116045211367289025906';
/** Implementation Version Name (SH, at most 16 characters). */
export const IMPLEMENTATION_VERSION_NAME = 'CDKMIP_1';

export interface Part10Meta {
  readonly mediaStorageSopClassUid: string;
  readonly mediaStorageSopInstanceUid: string;
  /**
   * Transfer syntax recorded in the meta header. The data set is always
   * written in explicit VR little endian, which is also how every encapsulated
   * (compressed) syntax encodes it, so pass the original UID for those. The
   * deflated syntax deflates the data set.
   * @default EXPLICIT_VR_LITTLE_ENDIAN
   */
  readonly transferSyntaxUid?: string;
}

export interface Part10WriteOptions {
  /** 'undefined' writes sequences and items with delimiters. @default 'defined' */
  readonly sequenceLengths?: 'defined' | 'undefined';
}

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR. */
const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;

/** Chunks of encoded bytes and their total length. */
class Chunks {
  readonly parts: Uint8Array[] = [];
  length = 0;

  push(part: Uint8Array): void {
    this.parts.push(part);
    this.length += part.length;
  }

  append(other: Chunks): void {
    for (const part of other.parts) this.push(part);
  }
}

/** Writes the Part 10 file. */
export function writePart10(dataset: DicomDataset, meta: Part10Meta, options: Part10WriteOptions = {}): Buffer {
  const undefinedLengths = options.sequenceLengths === 'undefined';
  const out = new Chunks();
  out.push(new Uint8Array(128));
  out.push(Buffer.from('DICM', 'latin1'));
  out.append(encodeMeta(meta));
  const body = encodeDataset(dataset, undefinedLengths);
  if (meta.transferSyntaxUid === TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    deflateParts(body.parts).forEach((part) => out.push(part));
  } else {
    out.append(body);
  }
  return Buffer.concat(out.parts, out.length);
}

function encodeMeta(meta: Part10Meta): Chunks {
  const elements: DicomElement[] = [
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: ascii(meta.mediaStorageSopClassUid) },
    { tag: 0x00020003, vr: 'UI', value: ascii(meta.mediaStorageSopInstanceUid) },
    { tag: 0x00020010, vr: 'UI', value: ascii(meta.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN) },
    { tag: 0x00020012, vr: 'UI', value: ascii(IMPLEMENTATION_CLASS_UID) },
    { tag: 0x00020013, vr: 'SH', value: ascii(IMPLEMENTATION_VERSION_NAME) },
  ];
  const body = encodeDataset(elements, false);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, body.length, true);
  const out = new Chunks();
  out.append(encodeDataset([{ tag: 0x00020000, vr: 'UL', value: groupLength }], false));
  out.append(body);
  return out;
}

function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

function encodeDataset(dataset: DicomDataset, undefinedLengths: boolean): Chunks {
  const out = new Chunks();
  for (const element of dataset) out.append(encodeElement(element, undefinedLengths));
  return out;
}

function encodeElement(element: DicomElement, undefinedLengths: boolean): Chunks {
  const out = new Chunks();
  if (element.items !== undefined) {
    const items = element.items.map((item) => encodeItem(item, undefinedLengths));
    const content = new Chunks();
    items.forEach((item) => content.append(item));
    if (undefinedLengths) {
      out.push(header(element.tag, 'SQ', UNDEFINED_LENGTH));
      out.append(content);
      out.push(itemHeader(SEQUENCE_DELIMITER, 0));
    } else {
      out.push(header(element.tag, 'SQ', content.length));
      out.append(content);
    }
    return out;
  }
  if (element.encapsulated !== undefined) {
    out.push(header(element.tag, 'OB', UNDEFINED_LENGTH));
    out.push(element.encapsulated);
    return out;
  }
  const value = element.value ?? new Uint8Array(0);
  const padding = value.length % 2 === 1 ? padByte(element.vr) : undefined;
  const length = value.length + (padding === undefined ? 0 : 1);
  // A value too long for a 2-byte length (possible in implicit VR input) can only be written as UN.
  const vr = !LONG_VRS.has(element.vr) && length > 0xffff ? 'UN' : element.vr;
  out.push(header(element.tag, vr, length));
  if (value.length > 0) out.push(value);
  if (padding !== undefined) out.push(Uint8Array.of(padding));
  return out;
}

function encodeItem(item: DicomDataset, undefinedLengths: boolean): Chunks {
  const content = encodeDataset(item, undefinedLengths);
  const out = new Chunks();
  out.push(itemHeader(ITEM, undefinedLengths ? UNDEFINED_LENGTH : content.length));
  out.append(content);
  if (undefinedLengths) out.push(itemHeader(ITEM_DELIMITER, 0));
  return out;
}

function padByte(vr: string): number {
  if (vr === 'UI') return 0x00;
  return TEXT_VRS.has(vr) ? 0x20 : 0x00;
}

function header(tag: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const bytes = new Uint8Array(long ? 12 : 8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), true);
  view.setUint16(2, tagElement(tag), true);
  bytes[4] = vr.charCodeAt(0);
  bytes[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, length, true);
  else view.setUint16(6, length, true);
  return bytes;
}

function itemHeader(tag: number, length: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), true);
  view.setUint16(2, tagElement(tag), true);
  view.setUint32(4, length, true);
  return bytes;
}
