/**
 * An in-memory DICOM data set as the de-identification and the Part 10 writer
 * see it: elements in tag order, values as little-endian bytes (views into the
 * input where no byte swap is needed, so pixel data is never copied here).
 */

export interface DicomElement {
  /** (gggg,eeee) as the number 0xggggeeee. */
  readonly tag: number;
  /** Two-letter VR; UN when unknown. */
  readonly vr: string;
  /** Value bytes in little-endian order (not for SQ, not for encapsulated pixel data). */
  readonly value?: Uint8Array;
  /** Items of a sequence (SQ). */
  readonly items?: readonly DicomDataset[];
  /**
   * Encapsulated Pixel Data: its items (Basic Offset Table and fragments) and
   * the Sequence Delimitation Item, exactly as read.
   */
  readonly encapsulated?: Uint8Array;
}

/** Elements in ascending tag order. */
export type DicomDataset = readonly DicomElement[];

export const Tags = {
  SPECIFIC_CHARACTER_SET: 0x00080005,
  SOP_CLASS_UID: 0x00080016,
  SOP_INSTANCE_UID: 0x00080018,
  MODALITY: 0x00080060,
  CODE_VALUE: 0x00080100,
  CODING_SCHEME_DESIGNATOR: 0x00080102,
  CODE_MEANING: 0x00080104,
  PATIENT_IDENTITY_REMOVED: 0x00120062,
  DEIDENTIFICATION_METHOD: 0x00120063,
  DEIDENTIFICATION_METHOD_CODE_SEQUENCE: 0x00120064,
  BITS_ALLOCATED: 0x00280100,
  BURNED_IN_ANNOTATION: 0x00280301,
  LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED: 0x00280303,
  PIXEL_DATA: 0x7fe00010,
} as const;

/** Group number of a tag (arithmetic, not bitwise: tags above 0x7FFFFFFF stay positive). */
export function tagGroup(tag: number): number {
  return Math.floor(tag / 0x10000);
}

/** Element number of a tag. */
export function tagElement(tag: number): number {
  return tag % 0x10000;
}

/** Private data elements have an odd group number. */
export function isPrivateTag(tag: number): boolean {
  return tagGroup(tag) % 2 === 1;
}

export function makeTag(group: number, element: number): number {
  return group * 0x10000 + element;
}

/** Text VRs whose values are padded with a space (UI pads with NUL). */
export const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT',
]);

/** Every VR of PS3.5 (anything else read from a file is written as UN). */
export const KNOWN_VRS: ReadonlySet<string> = new Set([
  ...TEXT_VRS, 'UI', 'AT', 'FD', 'FL', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SL', 'SQ', 'SS', 'SV', 'UL', 'UN', 'US', 'UV',
]);

/** The element's value as text, without trailing padding (NUL or space). Latin-1: values are compared, not displayed. */
export function elementText(element: DicomElement | undefined): string | undefined {
  if (element?.value === undefined) return undefined;
  return Buffer.from(element.value.buffer, element.value.byteOffset, element.value.length)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

/** The element with this tag, if present. */
export function findElement(dataset: DicomDataset, tag: number): DicomElement | undefined {
  return dataset.find((element) => element.tag === tag);
}

/** A text element (value padded to even length by the writer). */
export function textElement(tag: number, vr: string, text: string): DicomElement {
  return { tag, vr, value: Buffer.from(text, 'latin1') };
}
