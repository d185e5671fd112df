/**
 * A data set that fills every attribute of PS3.15 Table E.1-1 with a unique,
 * PHI-like value (built with the library's own writer: the shared fixture
 * generator belongs to the codec work), plus the structure around it:
 * private elements, overlays, references inside sequences, pixel data.
 */
import { DicomDataset, DicomElement, PROFILE_ROWS, ProfileRow } from '../../../src/core/deid';

export const ROOT = '1.2.826.0.1.3680043.8.498.4242';

export interface PhiFile {
  readonly dataset: DicomDataset;
  /** Original text of each non-sequence table attribute (by tag). */
  readonly values: ReadonlyMap<number, string>;
  /** Every PHI string written (search the output for each). */
  readonly phiStrings: readonly string[];
  readonly sopInstanceUid: string;
  readonly studyUid: string;
}

const text = (tag: number, vr: string, value: string): DicomElement => ({ tag, vr, value: Buffer.from(value, 'latin1') });

/** A unique value for a row, valid for its VR and recognisable in raw bytes. */
export function phiValue(row: ProfileRow, index: number, instance: string): string {
  const id = `${row.tag}${instance}`;
  const day = String((index % 28) + 1).padStart(2, '0');
  const month = String((index % 12) + 1).padStart(2, '0');
  const date = `19${String(20 + (index % 70)).padStart(2, '0')}${month}${day}`;
  const time = `${String(index % 24).padStart(2, '0')}${String(index % 60).padStart(2, '0')}17.${String(index).padStart(6, '3')}`;
  switch (row.vr) {
    case 'DA': return date;
    case 'TM': return time;
    case 'DT': return `${date}${time}`;
    case 'UI': return `${ROOT}.${parseInt(row.tag, 16)}.${instance.charCodeAt(0)}`;
    case 'AS': return '047Y';
    case 'DS': return `7${index}.25`;
    case 'IS': return `9${index}`;
    case 'PN': return `DOE${id}^JANE`;
    case 'AE': case 'SH': case 'CS': return `Q${row.tag}Z`;
    default: return `PHI ${row.keyword} ${id}`.slice(0, 64);
  }
}

function codeItem(label: string): DicomDataset {
  return [
    text(0x00080100, 'SH', 'C123'),
    text(0x00080102, 'SH', '99LOCAL'),
    text(0x00080104, 'LO', `SECRET ${label}`),
  ];
}

/**
 * `instance` distinguishes PHI of two objects; `study` fixes the study and
 * series UIDs; `referencedSop` goes into ReferencedImageSequence.
 */
export function phiDataset(options: { instance?: string; studyUid?: string; referencedSop?: string; pixels?: DicomElement } = {}): PhiFile {
  const instance = options.instance ?? 'A';
  const values = new Map<number, string>();
  const phi: string[] = [];
  const elements: DicomElement[] = [];
  PROFILE_ROWS.forEach((row, index) => {
    if (row.tag.includes('x')) return;
    const tag = parseInt(row.tag, 16);
    if (row.vr === 'SQ' && row.action === 'X/Z/U*') {
      // Reference sequences hold references, not text: a UID to remap.
      if (tag === 0x00081140) return; // written below, pointing at a chosen instance
      const uid = `${ROOT}.5.${parseInt(row.tag, 16)}.${instance.charCodeAt(0)}`;
      phi.push(uid);
      elements.push({ tag, vr: 'SQ', items: [[text(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), text(0x00081155, 'UI', uid)]] });
      return;
    }
    if (row.vr === 'SQ') {
      const label = `${row.keyword}${instance}`;
      phi.push(`SECRET ${label}`);
      elements.push({ tag, vr: 'SQ', items: [codeItem(label)] });
      return;
    }
    if (['OB', 'OW', 'US'].includes(row.vr)) {
      elements.push({ tag, vr: row.vr, value: Uint8Array.of(1, 0) });
      return;
    }
    const value = phiValue(row, index, instance);
    values.set(tag, value);
    phi.push(value);
    elements.push(text(tag, row.vr, value));
  });
  const set = (tag: number, value: string) => {
    phi.splice(phi.indexOf(values.get(tag) ?? ''), 1);
    values.set(tag, value);
    const at = elements.findIndex((e) => e.tag === tag);
    elements[at] = text(tag, elements[at].vr, value);
  };
  const sopInstanceUid = `${ROOT}.3.${instance.charCodeAt(0)}`;
  const studyUid = options.studyUid ?? `${ROOT}.1.${instance.charCodeAt(0)}`;
  set(0x00080018, sopInstanceUid);
  set(0x0020000d, studyUid);
  set(0x0020000e, `${studyUid}.2`);
  phi.push(sopInstanceUid, studyUid, `${studyUid}.2`);
  // References nested two deep, pointing at real UIDs.
  const referenced = options.referencedSop ?? sopInstanceUid;
  const referencedImages: DicomElement = {
    tag: 0x00081140,
    vr: 'SQ',
    items: [[
      text(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
      text(0x00081155, 'UI', referenced),
      { tag: 0x00082112, vr: 'SQ', items: [[text(0x00081155, 'UI', `${ROOT}.77.${instance.charCodeAt(0)}`), text(0x00100010, 'PN', `NESTED^${instance}PATIENT`)]] },
    ]],
  };
  elements.push(referencedImages);
  phi.push(`NESTED^${instance}PATIENT`, `${ROOT}.77.${instance.charCodeAt(0)}`);
  // Attributes outside the table stay; private ones and overlays go.
  const privateValue = `PRIVATE SECRET ${instance}`;
  const overlayComment = `OVERLAY COMMENT ${instance}`;
  phi.push(privateValue, overlayComment);
  elements.push(
    text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    text(0x00080060, 'CS', 'CT'),
    text(0x00090010, 'LO', 'ACME 1.0'),
    text(0x00091001, 'LO', privateValue),
    text(0x00091002, 'LO', 'KEEP ME SAFE'),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    { tag: 0x00280010, vr: 'US', value: Uint8Array.of(2, 0) },
    { tag: 0x00280011, vr: 'US', value: Uint8Array.of(2, 0) },
    { tag: 0x00280100, vr: 'US', value: Uint8Array.of(16, 0) },
    { tag: 0x60000010, vr: 'US', value: Uint8Array.of(2, 0) },
    { tag: 0x60003000, vr: 'OW', value: Uint8Array.of(0xff, 0xff) },
    text(0x60004000, 'LT', overlayComment),
    options.pixels ?? { tag: 0x7fe00010, vr: 'OW', value: Uint8Array.of(1, 0, 2, 0, 3, 0, 4, 0) },
  );
  elements.sort((a, b) => a.tag - b.tag);
  return { dataset: elements, values, phiStrings: phi, sopInstanceUid, studyUid };
}
