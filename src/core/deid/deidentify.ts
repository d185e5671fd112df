/**
 * DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile:
 * applies Table E.1-1 (with the configured retain options) to every data set
 * and every sequence item, removes private elements that are not safe-listed,
 * remaps UIDs with a keyed HMAC and records what was done
 * (PatientIdentityRemoved, DeidentificationMethod and its code sequence,
 * LongitudinalTemporalInformationModified). Pixel data is passed through.
 */
import { DicomDataset, DicomElement, elementText, findElement, isPrivateTag, makeTag, tagElement, tagGroup, Tags, textElement } from './dataset';
import { dummyValue } from './dummy';
import { EXPLICIT_VR_LITTLE_ENDIAN, Part10WriteOptions, writePart10 } from './part10-writer';
import { profileRow, resolveAction, RetainOptions } from './profile';
import { readPart10, ReadPart10Options } from './read-dataset';
import { DeidentificationSettings } from './settings';
import { remapUidValues } from './uid';
import { TransferSyntax } from '../dicom/transfer-syntax';

/** CID 7050 codes (scheme DCM) of the profile and the options this package applies. */
export const DeidentificationCode = {
  BASIC_PROFILE: { value: '113100', meaning: 'Basic Application Confidentiality Profile' },
  RETAIN_LONGITUDINAL_FULL_DATES: { value: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option' },
  RETAIN_PATIENT_CHARACTERISTICS: { value: '113108', meaning: 'Retain Patient Characteristics Option' },
  RETAIN_DEVICE_IDENTITY: { value: '113109', meaning: 'Retain Device Identity Option' },
  RETAIN_SAFE_PRIVATE: { value: '113111', meaning: 'Retain Safe Private Option' },
  RETAIN_INSTITUTION_IDENTITY: { value: '113112', meaning: 'Retain Institution Identity Option' },
} as const;

type Code = (typeof DeidentificationCode)[keyof typeof DeidentificationCode];

/** Nesting deeper than this is dropped rather than followed (hostile input). */
const MAX_DEPTH = 32;

interface Context {
  readonly key: Uint8Array;
  readonly settings: DeidentificationSettings;
  /** Original UID -> new UID, shared by the whole object so references stay consistent. */
  readonly uids: Map<string, string>;
}

/** The codes of the profile and the options in effect, in code order. */
export function deidentificationCodes(settings: DeidentificationSettings): Code[] {
  const codes: Code[] = [DeidentificationCode.BASIC_PROFILE];
  if (settings.retainLongitudinalTemporalInformation) codes.push(DeidentificationCode.RETAIN_LONGITUDINAL_FULL_DATES);
  if (settings.retainPatientCharacteristics) codes.push(DeidentificationCode.RETAIN_PATIENT_CHARACTERISTICS);
  if (settings.retainDeviceIdentity) codes.push(DeidentificationCode.RETAIN_DEVICE_IDENTITY);
  if (settings.privateTagSafeList.size > 0) codes.push(DeidentificationCode.RETAIN_SAFE_PRIVATE);
  if (settings.retainInstitutionIdentity) codes.push(DeidentificationCode.RETAIN_INSTITUTION_IDENTITY);
  return codes;
}

/** De-identifies a data set (top level): the profile, then the attributes that record it. */
export function deidentifyDataset(dataset: DicomDataset, key: Uint8Array, settings: DeidentificationSettings): DicomDataset {
  const context: Context = { key, settings, uids: new Map() };
  const cleaned = applyProfile(dataset, context, 0);
  return withRecord(cleaned, settings);
}

export interface DeidentifiedPart10 {
  /** The de-identified object as a Part 10 file. */
  readonly part10: Buffer;
  /** Transfer syntax written in the meta header. */
  readonly transferSyntaxUid: string;
}

/**
 * De-identifies a Part 10 object (with its preamble) and writes it again:
 * explicit VR little endian, or the original transfer syntax when the pixel
 * data is encapsulated (its fragments are copied as they are) or the data set
 * deflated (deflated again).
 */
export function deidentifyPart10(
  bytes: Uint8Array,
  key: Uint8Array,
  settings: DeidentificationSettings,
  options: Part10WriteOptions & ReadPart10Options = {},
): DeidentifiedPart10 {
  const { transferSyntaxUid: original, dataset } = readPart10(bytes, options);
  const deidentified = deidentifyDataset(dataset, key, settings);
  const encapsulated = findElement(deidentified, Tags.PIXEL_DATA)?.encapsulated !== undefined;
  // A deflated object stays deflated: written inflated, a small file could become one of a gigabyte.
  const transferSyntaxUid = encapsulated || original === TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN ? original : EXPLICIT_VR_LITTLE_ENDIAN;
  const part10 = writePart10(deidentified, {
    mediaStorageSopClassUid: elementText(findElement(deidentified, Tags.SOP_CLASS_UID)) ?? '',
    mediaStorageSopInstanceUid: elementText(findElement(deidentified, Tags.SOP_INSTANCE_UID)) ?? '',
    transferSyntaxUid,
  }, options);
  return { part10, transferSyntaxUid };
}

function applyProfile(dataset: DicomDataset, context: Context, depth: number): DicomDataset {
  const keptPrivate = keptPrivateTags(dataset, context.settings.privateTagSafeList);
  const out: DicomElement[] = [];
  for (const element of dataset) {
    if (isPrivateTag(element.tag)) {
      if (keptPrivate.has(element.tag)) out.push(recurse(element, context, depth));
      continue;
    }
    const row = profileRow(element.tag);
    if (row === undefined) {
      out.push(recurse(element, context, depth));
      continue;
    }
    const replaced = applyAction(element, resolveAction(row, context.settings), context, depth);
    if (replaced !== undefined) out.push(replaced);
  }
  return out;
}

/** Safe-listed private elements present here, plus the private creators that reserve their blocks. */
function keptPrivateTags(dataset: DicomDataset, safeList: ReadonlySet<number>): Set<number> {
  const kept = new Set<number>();
  for (const element of dataset) {
    if (!safeList.has(element.tag)) continue;
    kept.add(element.tag);
    const block = Math.floor(tagElement(element.tag) / 0x100);
    // (gggg,xxee) belongs to the creator at (gggg,00xx); a creator itself has no block.
    if (block >= 0x10) kept.add(makeTag(tagGroup(element.tag), block));
  }
  return kept;
}

/** K on a sequence still applies the profile to its items (PS3.15 E.3.1: nested attributes follow the table). */
function recurse(element: DicomElement, context: Context, depth: number): DicomElement {
  if (element.items === undefined) return element;
  if (depth >= MAX_DEPTH) return { tag: element.tag, vr: 'SQ', items: [] };
  return { tag: element.tag, vr: 'SQ', items: element.items.map((item) => applyProfile(item, context, depth + 1)) };
}

function applyAction(element: DicomElement, action: ReturnType<typeof resolveAction>, context: Context, depth: number): DicomElement | undefined {
  switch (action) {
    case 'X':
      return undefined;
    case 'K':
      return recurse(element, context, depth);
    case 'U':
      if (element.items !== undefined) return recurse(element, context, depth);
      return uidElement(element, context);
    case 'D': {
      if (element.items !== undefined) return { tag: element.tag, vr: 'SQ', items: [] };
      if (element.vr === 'UI') return uidElement(element, context);
      const value = dummyValue(element.vr);
      return { tag: element.tag, vr: element.vr, value: value ?? new Uint8Array(0) };
    }
    default:
      return element.items !== undefined
        ? { tag: element.tag, vr: 'SQ', items: [] }
        : { tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
  }
}

function uidElement(element: DicomElement, context: Context): DicomElement {
  const text = elementText(element) ?? '';
  return { tag: element.tag, vr: 'UI', value: Buffer.from(remapUidValues(context.key, text, context.uids), 'latin1') };
}

/** Adds or replaces the attributes that say the object was de-identified, and how. */
function withRecord(dataset: DicomDataset, settings: DeidentificationSettings): DicomDataset {
  const codes = deidentificationCodes(settings);
  const record: DicomElement[] = [
    textElement(Tags.PATIENT_IDENTITY_REMOVED, 'CS', 'YES'),
    // LO is at most 64 characters: one value per code meaning (VM 1-n).
    textElement(Tags.DEIDENTIFICATION_METHOD, 'LO', codes.map((code) => code.meaning).join('\\')),
    {
      tag: Tags.DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
      vr: 'SQ',
      items: codes.map((code) => [
        textElement(Tags.CODE_VALUE, 'SH', code.value),
        textElement(Tags.CODING_SCHEME_DESIGNATOR, 'SH', 'DCM'),
        textElement(Tags.CODE_MEANING, 'LO', code.meaning),
      ]),
    },
    textElement(Tags.LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, 'CS',
      temporalInformation(settings)),
  ];
  const replaced = new Set(record.map((element) => element.tag));
  return [...dataset.filter((element) => !replaced.has(element.tag)), ...record].sort((a, b) => a.tag - b.tag);
}

/** (0028,0303): UNMODIFIED when full dates are kept, REMOVED when the profile removed or replaced them. */
function temporalInformation(retain: RetainOptions): string {
  return retain.retainLongitudinalTemporalInformation ? 'UNMODIFIED' : 'REMOVED';
}
