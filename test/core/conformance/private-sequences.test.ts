/**
 * Conformance item 7: private sequences of undefined length nested inside
 * private sequences. In implicit VR a private element has no known VR, so an
 * undefined length is what says "sequence" (dcmtk: CP-246); dicom-parser
 * reads such a sequence but drops its items. Both readers must see the same
 * tree dcmdump prints, and de-identification must then treat the nested
 * elements as elements: private ones removed unless safe-listed, standard
 * ones (a Patient Name inside a private item) through the profile.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireDcmtk } from './dcmtk-reference';
import { DicomDataset } from '../../../src/core/deid/dataset';
import { deidentifyPart10 } from '../../../src/core/deid/deidentify';
import { readPart10 } from '../../../src/core/deid/read-dataset';
import { resolveDeidentificationSettings } from '../../../src/core/deid/settings';
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { ExtraElement, makeDicom, MakeDicomOptions } from '../../fixtures/images';
import { dcmdump } from '../deid/dcmdump';

requireDcmtk();

const KEY = Buffer.alloc(32, 0x5a);
const creator: ExtraElement = { tag: 0x00090010, vr: 'LO', text: 'ACME PRIVATE' };
const IMAGE: MakeDicomOptions = { rows: 16, columns: 16, burnedInAnnotation: 'NO', pixelFn: (x, y) => x * 100 + y * 7 };
const withPrivate = makeDicom({
  ...IMAGE,
  extraElements: [
    creator,
    {
      tag: 0x00091010,
      vr: 'SQ',
      items: [[
        creator,
        {
          tag: 0x00091011,
          vr: 'SQ',
          items: [[creator, { tag: 0x00091012, vr: 'LO', text: 'NESTED-PRIVATE-PHI' }, { tag: 0x00100010, vr: 'PN', text: 'NESTED^PATIENT' }], []],
        },
        { tag: 0x00091013, vr: 'LO', text: 'OUTER-PRIVATE-VALUE' },
      ]],
    },
  ],
});

/** `file` rewritten by dcmconv with undefined sequence and item lengths, in implicit or explicit VR. */
function undefinedLengths(file: Buffer, syntax: '+ti' | '+te'): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'private-sq-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.dcm'), file);
    execFileSync('dcmconv', [syntax, '-e', path.join(dir, 'in.dcm'), path.join(dir, 'out.dcm')], { stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'out.dcm'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The data set's element tree as dcmdump prints it: "depth gggg,eeee" per element and item (delimiters left out). */
function dcmdumpTree(file: Uint8Array): string[] {
  const { output, problems } = dcmdump(file);
  expect(problems.filter((line) => !line.includes('CP-246'))).toEqual([]);
  const dataSet = output.slice(output.indexOf('# Dicom-Data-Set'));
  return dataSet.split('\n').flatMap((line) => {
    const match = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\)/.exec(line);
    if (!match || match[2] === 'fffe' && match[3] !== 'e000') return [];
    return [`${match[1].length / 2} ${match[2]},${match[3]}`];
  });
}

/** The same tree from the de-identification reader. */
function ourTree(dataset: DicomDataset, depth = 0): string[] {
  const hex = (tag: number) => `${tag.toString(16).padStart(8, '0').slice(0, 4)},${tag.toString(16).padStart(8, '0').slice(4)}`;
  return dataset.flatMap((element) => [
    `${depth} ${hex(element.tag)}`,
    ...(element.items ?? []).flatMap((item) => [`${depth + 1} fffe,e000`, ...ourTree(item, depth + 2)]),
  ]);
}

describe.each([['implicit VR', '+ti'], ['explicit VR', '+te']] as const)('%s, undefined lengths', (_name, syntax) => {
  const file = undefinedLengths(withPrivate, syntax);

  test('the nested private sequences are read as the tree dcmdump prints', () => {
    const tree = dcmdumpTree(file);
    expect(tree).toContain('4 0009,1012'); // sanity: dcmdump sees the innermost element as nested
    expect(ourTree(readPart10(file).dataset)).toEqual(tree);
  });

  test('the image reads and previews as the same image without private elements', () => {
    const dicom = parseDicom(file);
    expect(dicom).toMatchObject({ rows: 16, columns: 16 });
    expect(Array.from(renderDicomFrame(dicom).data)).toEqual(Array.from(renderDicomFrame(parseDicom(makeDicom(IMAGE))).data));
  });

  test('default profile: every private element, nested or not, is removed; dcmdump reads the output cleanly', () => {
    const { part10 } = deidentifyPart10(file, KEY, resolveDeidentificationSettings());
    expect(dcmdump(part10).problems).toEqual([]);
    expect(dcmdumpTree(part10).filter((line) => line.includes(' 0009,'))).toEqual([]);
    for (const value of ['NESTED-PRIVATE-PHI', 'NESTED^PATIENT', 'OUTER-PRIVATE-VALUE', 'ACME']) expect(part10.toString('latin1')).not.toContain(value);
  });

  test('safe-listed sequences are kept as sequences, and what is nested in them is de-identified', () => {
    const settings = resolveDeidentificationSettings({ privateTagSafeList: ['00091010', '00091011', '00091013'] });
    const { part10 } = deidentifyPart10(file, KEY, settings);
    expect(dcmdump(part10).problems).toEqual([]);
    const tree = dcmdumpTree(part10);
    // Both sequences survive as sequences (dcmdump parses them), with the creator where a kept element needs it.
    expect(tree).toEqual(expect.arrayContaining(['0 0009,0010', '0 0009,1010', '2 0009,0010', '2 0009,1011', '2 0009,1013', '4 0010,0010']));
    // Not safe-listed, and nothing else of the block is left in that item: neither the element nor its creator.
    expect(tree).not.toContain('4 0009,1012');
    expect(tree).not.toContain('4 0009,0010');
    const text = part10.toString('latin1');
    expect(text).toContain('OUTER-PRIVATE-VALUE');
    expect(text).not.toContain('NESTED-PRIVATE-PHI');
    expect(text).not.toContain('NESTED^PATIENT'); // a standard attribute, through the profile even inside a private item
    // The private creator keeps its VR (LO), also where the input was implicit VR.
    expect(dcmdump(part10).output).toMatch(/\(0009,0010\) LO \[ACME PRIVATE\]/);
  });
});

test('a standard sequence with undefined-length items de-identifies to a file dcmdump reads cleanly (delimiters are not copied as elements)', () => {
  // CTDI Phantom Type Code Sequence: not in the profile's table, so kept with its item.
  const code: ExtraElement[] = [{ tag: 0x00080100, vr: 'SH', text: 'IEC Body' }, { tag: 0x00080102, vr: 'SH', text: 'DCM' }];
  const file = undefinedLengths(makeDicom({ ...IMAGE, extraElements: [{ tag: 0x00189346, vr: 'SQ', items: [code] }] }), '+ti');
  const { part10 } = deidentifyPart10(file, KEY, resolveDeidentificationSettings());
  expect(dcmdump(part10).problems).toEqual([]);
  expect(dcmdumpTree(part10)).toEqual(expect.arrayContaining(['0 0018,9346', '1 fffe,e000', '2 0008,0100', '2 0008,0102']));
});
