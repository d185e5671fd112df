/**
 * Non-conforming file layouts rewritten once into a conforming Part 10 file,
 * so every reader (the image parser, the de-identification) sees the same
 * bytes: a preamble-less file gets its preamble, a bare data set gets a File
 * Meta Information group, and a meta that declares explicit VR over an
 * implicit VR data set (or the reverse) is rewritten to declare what was found.
 */
import { bareDataSetEncoding, ElementEncoding, elementEncodingAt } from './element-encoding';
import { hasDicmMagic, PART10_HEADER_LENGTH, PART10_PREAMBLE_LENGTH, startsWithFileMetaGroup, withPart10Preamble } from './part10';
import { TransferSyntax } from './transfer-syntax';

/**
 * Something about the file that was read despite not conforming:
 * NO_FILE_META (a bare data set, no preamble or File Meta Information),
 * ENCODING_MISMATCH (the meta declares explicit VR and the data set is
 * implicit, or the reverse; read as found, as dcmtk does with -td).
 */
export type DicomReadWarning = 'NO_FILE_META' | 'ENCODING_MISMATCH';

export interface ConformingPart10 {
  /** The input itself when it already conforms (no copy), else a rewritten copy. */
  readonly bytes: Uint8Array;
  readonly warnings: readonly DicomReadWarning[];
}

const SYNTAX_FOR_ENCODING: Record<ElementEncoding, string> = {
  explicit: TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
  implicit: TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN,
};
const TRANSFER_SYNTAX_ELEMENT = 0x0010;
// Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

interface MetaElement {
  readonly element: number;
  readonly bytes: Uint8Array;
}

/**
 * `bytes` as a conforming Part 10 file. Bytes that are not DICOM in any
 * layout are returned unchanged (the parser refuses them).
 */
export function conformingPart10(bytes: Uint8Array): ConformingPart10 {
  if (!hasDicmMagic(bytes)) {
    if (startsWithFileMetaGroup(bytes)) return conformingPart10(withPart10Preamble(bytes));
    const found = bareDataSetEncoding(bytes);
    if (!found) return { bytes, warnings: [] };
    return { bytes: withMeta([], SYNTAX_FOR_ENCODING[found], bytes), warnings: ['NO_FILE_META'] };
  }
  const meta = readMetaElements(bytes);
  if (!meta) return { bytes, warnings: [] };
  const declaredUid = meta.elements.find((e) => e.element === TRANSFER_SYNTAX_ELEMENT);
  const declared = declaredUid && encodingDeclaredBy(uidOf(declaredUid.bytes));
  const found = elementEncodingAt(bytes, meta.end);
  if (!declared || !found || found === declared) return { bytes, warnings: [] };
  const kept = meta.elements.filter((e) => e.element !== 0x0000 && e.element !== TRANSFER_SYNTAX_ELEMENT);
  return { bytes: withMeta(kept, SYNTAX_FOR_ENCODING[found], bytes.subarray(meta.end)), warnings: ['ENCODING_MISMATCH'] };
}

function encodingDeclaredBy(uid: string): ElementEncoding | undefined {
  if (uid === TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN) return 'explicit';
  if (uid === TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN) return 'implicit';
  return undefined; // other syntaxes are not second-guessed
}

function uidOf(element: Uint8Array): string {
  return Buffer.from(element.subarray(8)).toString('latin1').replace(/[\0 ]+$/, '');
}

/** The group 0002 elements (explicit VR LE) and where the data set starts; undefined when the group cannot be walked. */
function readMetaElements(bytes: Uint8Array): { elements: MetaElement[]; end: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: MetaElement[] = [];
  let offset = PART10_HEADER_LENGTH;
  while (offset + 8 <= bytes.length && view.getUint16(offset, true) === 0x0002) {
    const vr = String.fromCharCode(bytes[offset + 4], bytes[offset + 5]);
    const long = LONG_LENGTH_VRS.has(vr);
    if (long && offset + 12 > bytes.length) return undefined;
    const headerLength = long ? 12 : 8;
    const length = long ? view.getUint32(offset + 8, true) : view.getUint16(offset + 6, true);
    const end = offset + headerLength + length;
    if (end > bytes.length) return undefined;
    elements.push({ element: view.getUint16(offset + 2, true), bytes: bytes.subarray(offset, end) });
    offset = end;
  }
  return { elements, end: offset };
}

/** Preamble, "DICM", a meta group of `kept` elements plus the transfer syntax (with its group length), then `dataSet`. */
function withMeta(kept: readonly MetaElement[], transferSyntaxUid: string, dataSet: Uint8Array): Uint8Array {
  const uid = Buffer.from(transferSyntaxUid.length % 2 === 0 ? transferSyntaxUid : `${transferSyntaxUid}\0`, 'latin1');
  const syntax = Buffer.alloc(8 + uid.length);
  syntax.writeUInt16LE(0x0002, 0);
  syntax.writeUInt16LE(TRANSFER_SYNTAX_ELEMENT, 2);
  syntax.write('UI', 4, 'latin1');
  syntax.writeUInt16LE(uid.length, 6);
  uid.copy(syntax, 8);
  // Elements stay in tag order: those before (0002,0010), the syntax, those after.
  const before = kept.filter((e) => e.element < TRANSFER_SYNTAX_ELEMENT).map((e) => e.bytes);
  const after = kept.filter((e) => e.element > TRANSFER_SYNTAX_ELEMENT).map((e) => e.bytes);
  const group = [...before, syntax, ...after];
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(0x0002, 0);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(group.reduce((sum, e) => sum + e.length, 0), 8);
  const preamble = new Uint8Array(PART10_PREAMBLE_LENGTH + 4);
  preamble.set(Buffer.from('DICM', 'latin1'), PART10_PREAMBLE_LENGTH);
  return Buffer.concat([preamble, groupLength, ...group, dataSet]);
}
