/**
 * Where each element of a fuzz base file sits, so mutations can aim at header
 * fields (lengths, VRs, values). Reads only the simple files the test
 * generator writes (defined lengths, no sequences); not a DICOM parser.
 */
import { BaseInput } from './bases';

export interface ElementLayout {
  readonly tag: number;
  readonly littleEndian: boolean;
  /** Offset of the two VR characters, when the element has an explicit VR. */
  readonly vrOffset?: number;
  readonly lengthOffset: number;
  /** 2 or 4 bytes. */
  readonly lengthSize: number;
  readonly valueOffset: number;
  readonly valueLength: number;
}

const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

/** Elements of the meta group and the data set, in file order; [] for non-DICOM bases. */
export function layoutOf(base: BaseInput): ElementLayout[] {
  if (!base.dataSetEncoding) return [];
  const bytes = base.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const elements: ElementLayout[] = [];
  let offset = bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM' ? 132 : 0;
  while (offset + 8 <= bytes.length) {
    const inMeta = view.getUint16(offset, true) === 0x0002;
    const littleEndian = inMeta || base.dataSetEncoding !== 'explicitBE';
    const explicit = inMeta || base.dataSetEncoding !== 'implicitLE';
    const tag = view.getUint16(offset, littleEndian) * 0x10000 + view.getUint16(offset + 2, littleEndian);
    let element: ElementLayout;
    if (!explicit) {
      element = {
        tag,
        littleEndian,
        lengthOffset: offset + 4,
        lengthSize: 4,
        valueOffset: offset + 8,
        valueLength: view.getUint32(offset + 4, true),
      };
    } else if (LONG_LENGTH_VRS.has(bytes.toString('latin1', offset + 4, offset + 6))) {
      element = {
        tag,
        littleEndian,
        vrOffset: offset + 4,
        lengthOffset: offset + 8,
        lengthSize: 4,
        valueOffset: offset + 12,
        valueLength: view.getUint32(offset + 8, littleEndian),
      };
    } else {
      element = {
        tag,
        littleEndian,
        vrOffset: offset + 4,
        lengthOffset: offset + 6,
        lengthSize: 2,
        valueOffset: offset + 8,
        valueLength: view.getUint16(offset + 6, littleEndian),
      };
    }
    elements.push(element);
    offset = element.valueOffset + element.valueLength;
  }
  return elements;
}
