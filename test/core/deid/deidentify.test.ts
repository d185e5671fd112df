import * as dicomParser from 'dicom-parser';
import { dcmdump } from './dcmdump';
import { phiDataset, ROOT } from './phi-dataset';
import {
  DeidentificationSettings,
  deidentifyPart10,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLEMENTATION_CLASS_UID,
  PROFILE_ROWS,
  profileRow,
  remapUid,
  resolveAction,
  resolveDeidentificationSettings,
  writePart10,
} from '../../../src/core/deid';
import { DeidentificationOptions } from '../../../src/shared/deidentification';
import { makeDicom, phiValues } from '../../fixtures/images';

const KEY = Buffer.from('deid-test-key-0123456789abcdef');
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

function inputFile(options: Parameters<typeof phiDataset>[0] = {}, ts?: string): { bytes: Buffer; file: ReturnType<typeof phiDataset> } {
  const file = phiDataset(options);
  const bytes = writePart10(file.dataset, {
    mediaStorageSopClassUid: CT_IMAGE_STORAGE,
    mediaStorageSopInstanceUid: file.sopInstanceUid,
    transferSyntaxUid: ts,
  });
  return { bytes, file };
}

function run(bytes: Uint8Array, options: DeidentificationOptions = {}) {
  const settings = resolveDeidentificationSettings(options);
  const out = deidentifyPart10(bytes, KEY, settings);
  return { out: out.part10, parsed: dicomParser.parseDicom(out.part10), settings, transferSyntaxUid: out.transferSyntaxUid };
}

const hex = (tag: number) => `x${tag.toString(16).padStart(8, '0')}`;

/** What each table attribute became, in the terms of the resolved action. */
function observed(parsed: dicomParser.DataSet, tag: number, original: string | undefined): string {
  const element = parsed.elements[hex(tag)];
  if (element === undefined) return 'X';
  if (element.items !== undefined) return element.items.length === 0 ? 'Z' : 'K';
  if (element.length === 0) return 'Z';
  const value = parsed.string(hex(tag)) ?? '';
  if (original === undefined) return 'K';
  if (value === original) return 'K';
  if (value.startsWith('2.25.')) return 'U';
  return 'D';
}

function expectedActions(settings: DeidentificationSettings): Map<number, string> {
  const expected = new Map<number, string>();
  for (const row of PROFILE_ROWS) {
    if (row.tag.includes('x')) continue;
    let action: string = resolveAction(row, settings);
    // Sequences: D has no dummy items (empty), U keeps the items (UIDs remapped inside).
    if (row.vr === 'SQ' && action === 'D') action = 'Z';
    if (row.vr === 'SQ' && action === 'U') action = 'K';
    // D on a UID is a remapped UID; VRs without a dummy value (UN, UR, ...) are emptied.
    if (row.vr === 'UI' && action === 'D') action = 'U';
    if ((row.vr === 'UN' || row.vr === 'UR') && action === 'D') action = 'Z';
    // Binary values (US, OB) have no text to compare: a dummy of zeros is still a D.
    expected.set(parseInt(row.tag, 16), action);
  }
  return expected;
}

describe('Table E.1-1', () => {
  test('has one row per tag, each with a known action and VR', () => {
    const tags = PROFILE_ROWS.map((row) => row.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(PROFILE_ROWS.length).toBeGreaterThan(350);
    for (const row of PROFILE_ROWS) {
      expect(row.tag).toMatch(/^[0-9A-Fx]{8}$/);
      expect(row.vr).toMatch(/^[A-Z]{2}$/);
    }
    expect(profileRow(0x60023000)?.keyword).toBe('OverlayData');
    expect(profileRow(0x50021234)?.keyword).toBe('CurveData');
    expect(profileRow(0x60013000)).toBeUndefined(); // odd group: private, not an overlay
  });
});

describe('deidentifyPart10', () => {
  test('takes the action of Table E.1-1 on every attribute of the table present in the file', () => {
    const { bytes, file } = inputFile();
    const { parsed, settings } = run(bytes);
    const expected = expectedActions(settings);
    const mismatches: string[] = [];
    for (const [tag, action] of expected) {
      const seen = observed(parsed, tag, file.values.get(tag));
      // A binary value replaced by a dummy of zeros reads as "kept" only if it was zeros already; ours were not.
      const binary = file.values.get(tag) === undefined && parsed.elements[hex(tag)]?.items === undefined;
      const ok = binary && action === 'D' ? seen !== 'X' : seen === action;
      if (!ok) mismatches.push(`${PROFILE_ROWS.find((r) => parseInt(r.tag, 16) === tag)?.keyword}: expected ${action}, got ${seen}`);
    }
    expect(mismatches).toEqual([]);
    expect(expected.size).toBeGreaterThan(350);
  });

  test('dummies have the right VR form and UIDs are 2.25 UIDs of the keyed HMAC', () => {
    const { bytes, file } = inputFile();
    const { parsed } = run(bytes);
    expect(parsed.string('x00080021')).toBe('19000101'); // SeriesDate X/D -> D
    expect(parsed.string('x00080031')).toBe('000000'); // SeriesTime
    expect(parsed.string('x00081070')).toBe('ANONYMIZED'); // OperatorsName X/Z/D
    expect(parsed.string('x00080018')).toBe(remapUid(KEY, file.sopInstanceUid));
    for (const tag of ['x00080018', 'x0020000d', 'x0020000e', 'x00200052', 'x00081155']) {
      const uid = parsed.string(tag);
      if (uid === undefined) continue;
      expect(uid).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });

  test('no PHI string and no original UID survives anywhere in the output bytes', () => {
    const { bytes, file } = inputFile();
    const { out } = run(bytes);
    const raw = out.toString('latin1');
    const leaked = file.phiStrings.filter((value) => raw.includes(value));
    expect(leaked).toEqual([]);
    expect(raw).not.toContain(ROOT);
    // Sanity: the input did contain them.
    expect(file.phiStrings.filter((value) => !bytes.toString('latin1').includes(value))).toEqual([]);
  });

  test('records the de-identification: PatientIdentityRemoved, method, code sequence, temporal flag', () => {
    const { parsed } = run(inputFile().bytes);
    expect(parsed.string('x00120062')).toBe('YES');
    expect(parsed.string('x00120063')).toBe('Basic Application Confidentiality Profile');
    const items = parsed.elements.x00120064.items!;
    expect(items.map((item) => [item.dataSet!.string('x00080100'), item.dataSet!.string('x00080102')])).toEqual([['113100', 'DCM']]);
    expect(parsed.string('x00280303')).toBe('REMOVED');
  });

  test('each retain option keeps exactly the attributes of its column', () => {
    const { bytes, file } = inputFile();
    const baseline = run(bytes).parsed;
    const options: [keyof DeidentificationOptions, 'L' | 'P' | 'D' | 'I', string][] = [
      ['retainLongitudinalTemporalInformation', 'L', '113106'],
      ['retainPatientCharacteristics', 'P', '113108'],
      ['retainDeviceIdentity', 'D', '113109'],
      ['retainInstitutionIdentity', 'I', '113112'],
    ];
    for (const [option, column, code] of options) {
      const { parsed } = run(bytes, { [option]: true });
      const column_ = PROFILE_ROWS.filter((row) => row.retain === column && !row.tag.includes('x'));
      expect(column_.length).toBeGreaterThan(0);
      const inColumn = new Set(column_.map((row) => parseInt(row.tag, 16)));
      for (const row of PROFILE_ROWS) {
        if (row.tag.includes('x')) continue;
        const tag = parseInt(row.tag, 16);
        const original = file.values.get(tag);
        if (inColumn.has(tag)) {
          const kept = { option, keyword: row.keyword, present: parsed.elements[hex(tag)] !== undefined, value: parsed.string(hex(tag)) };
          expect(kept).toEqual({ option, keyword: row.keyword, present: true, value: original ?? kept.value });
        } else {
          // Every other attribute is exactly as without the option.
          expect({ keyword: row.keyword, value: parsed.elements[hex(tag)]?.length })
            .toEqual({ keyword: row.keyword, value: baseline.elements[hex(tag)]?.length });
          expect({ keyword: row.keyword, value: parsed.string(hex(tag)) }).toEqual({ keyword: row.keyword, value: baseline.string(hex(tag)) });
        }
      }
      const codes = parsed.elements.x00120064.items!.map((item) => item.dataSet!.string('x00080100'));
      expect(codes).toEqual(['113100', code]);
      expect(parsed.string('x00280303')).toBe(option === 'retainLongitudinalTemporalInformation' ? 'UNMODIFIED' : 'REMOVED');
    }
  });

  test('UID remapping is deterministic, distinct per UID, and consistent across instances and references', () => {
    const studyUid = `${ROOT}.1.999`;
    const a = inputFile({ instance: 'A', studyUid });
    const b = inputFile({ instance: 'B', studyUid, referencedSop: a.file.sopInstanceUid });
    const outA = run(a.bytes).parsed;
    const outA2 = run(a.bytes).parsed;
    const outB = run(b.bytes).parsed;
    expect(outA.string('x00080018')).toBe(outA2.string('x00080018'));
    expect(outA.string('x00080018')).not.toBe(outB.string('x00080018'));
    expect(outA.string('x0020000d')).toBe(outB.string('x0020000d'));
    expect(outA.string('x0020000e')).toBe(outB.string('x0020000e'));
    expect(outA.string('x0020000e')).not.toBe(outA.string('x0020000d'));
    // B's ReferencedImageSequence points at A: the reference follows A's new SOP Instance UID.
    const reference = outB.elements.x00081140.items![0].dataSet!;
    expect(reference.string('x00081155')).toBe(outA.string('x00080018'));
    expect(reference.string('x00081150')).toBe(CT_IMAGE_STORAGE); // class UIDs are kept
    // The table applies inside nested items too.
    const nested = reference.elements.x00082112.items![0].dataSet!;
    expect(nested.elements.x00100010.length).toBe(0);
    expect(nested.string('x00081155')).toMatch(/^2\.25\./);
    // A different key gives different UIDs.
    expect(remapUid(Buffer.from('another-key-0123456789'), a.file.sopInstanceUid)).not.toBe(outA.string('x00080018'));
  });

  test('private elements are removed unless safe-listed (with their creator); overlays are removed', () => {
    const { bytes } = inputFile();
    const removed = run(bytes).parsed;
    expect(Object.keys(removed.elements).filter((tag) => parseInt(tag.slice(1, 5), 16) % 2 === 1)).toEqual([]);
    expect(removed.elements.x60003000).toBeUndefined();
    expect(removed.elements.x60004000).toBeUndefined();
    expect(removed.elements.x60000010).toBeDefined(); // not in the table: kept

    const kept = run(bytes, { privateTagSafeList: ['(0009,1002)'] }).parsed;
    expect(kept.string('x00090010')).toBe('ACME 1.0');
    expect(kept.string('x00091002')).toBe('KEEP ME SAFE');
    expect(kept.elements.x00091001).toBeUndefined();
    expect(kept.elements.x00120064.items!.map((item) => item.dataSet!.string('x00080100'))).toEqual(['113100', '113111']);
  });

  test('native pixel data is copied as is and the output is explicit VR little endian', () => {
    const pixels = { tag: 0x7fe00010, vr: 'OW', value: Uint8Array.from({ length: 64 }, (_, i) => i) };
    const { bytes } = inputFile({ pixels });
    const { parsed, transferSyntaxUid } = run(bytes);
    expect(transferSyntaxUid).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
    const element = parsed.elements.x7fe00010;
    expect([...parsed.byteArray.subarray(element.dataOffset, element.dataOffset + element.length)]).toEqual([...pixels.value]);
    expect(parsed.string('x00020012')).toBe(IMPLEMENTATION_CLASS_UID);
    expect(parsed.string('x00020003')).toBe(parsed.string('x00080018'));
  });

  test('encapsulated pixel data keeps its fragments and its transfer syntax', () => {
    const jpegBaseline = '1.2.840.10008.1.2.4.50';
    const fragment = Uint8Array.from([0xff, 0xd8, 1, 2, 3, 4, 0xff, 0xd9]);
    const encapsulated = Buffer.concat([
      Buffer.from([0xfe, 0xff, 0x00, 0xe0, 4, 0, 0, 0, 0, 0, 0, 0]), // offset table with one entry
      Buffer.from([0xfe, 0xff, 0x00, 0xe0, 8, 0, 0, 0]), Buffer.from(fragment),
      Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const { bytes } = inputFile({ pixels: { tag: 0x7fe00010, vr: 'OB', encapsulated } }, jpegBaseline);
    const { out, parsed, transferSyntaxUid } = run(bytes);
    expect(transferSyntaxUid).toBe(jpegBaseline);
    expect(parsed.string('x00020010')).toBe(jpegBaseline);
    const element = parsed.elements.x7fe00010;
    expect(element.encapsulatedPixelData).toBe(true);
    expect(element.fragments).toHaveLength(1);
    expect(out.includes(encapsulated)).toBe(true);
    expect(dcmdump(out).problems).toEqual([]);
  });

  test.each([['explicit'], ['implicit'], ['explicitBigEndian']] as const)('reads %s VR input and writes it as explicit VR little endian', (transferSyntax) => {
    const input = makeDicom({ transferSyntax, rows: 4, columns: 4, pixelFn: (x, y) => x * 300 + y });
    const { out, parsed } = run(input);
    expect(parsed.string('x00020010')).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
    expect(parsed.uint16('x00280010')).toBe(4);
    const element = parsed.elements.x7fe00010;
    const words = [...new Uint16Array(Uint8Array.from(parsed.byteArray.subarray(element.dataOffset, element.dataOffset + 32)).buffer)];
    expect(words.slice(0, 5)).toEqual([0, 300, 600, 900, 1]); // row by row
    const raw = out.toString('latin1');
    for (const value of phiValues()) {
      if (/^[0-9.]+$/.test(value) && value.length < 9) continue; // short dates would match by chance only
      expect(raw).not.toContain(value);
    }
    const dump = dcmdump(out);
    expect(dump.status).toBe(0);
    expect(dump.problems).toEqual([]);
  });
});

describe('dcmdump reads the output', () => {
  test.each([['defined'], ['undefined']] as const)('of the full Table E.1-1 file with %s sequence lengths, without errors or warnings', (sequenceLengths) => {
    const { bytes } = inputFile();
    // The input itself (written by the same writer) is valid too.
    expect(dcmdump(bytes).problems).toEqual([]);
    for (const options of [{}, { retainLongitudinalTemporalInformation: true, retainPatientCharacteristics: true, retainDeviceIdentity: true, retainInstitutionIdentity: true, privateTagSafeList: ['00091002'] }]) {
      const out = deidentifyPart10(bytes, KEY, resolveDeidentificationSettings(options), { sequenceLengths }).part10;
      const dump = dcmdump(out);
      expect(dump.status).toBe(0);
      expect(dump.problems).toEqual([]);
      expect(dump.output).toContain('PatientIdentityRemoved');
      expect(dump.output).toContain(sequenceLengths === 'undefined' ? 'Sequence with undefined length' : 'Sequence with explicit length');
    }
  });
});
