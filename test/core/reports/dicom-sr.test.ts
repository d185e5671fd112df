import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildMeasurementReportSr, srSeriesUid } from '../../../src/core/reports';
import { REPORT_STUDY as study, reportInput } from '../../support/report-fixtures';

const input = reportInput();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function written(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('DICOM SR TID 1500 measurement report', () => {
  const { bytes, sopInstanceUid } = buildMeasurementReportSr(input, { study, imageSizes: new Map([['2.25.111', { columns: 1000, rows: 500 }]]) });
  const file = written('report.dcm', bytes);

  test('dcmtk dsrdump reads it with no error or warning', () => {
    const run = spawnSync('dsrdump', ['-Ee', '-Ec', file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Comprehensive SR');
  });

  // dicom3tools (apt) checks the IOD: no error, and no missing attribute beyond the study date/time/ID (Type 2, empty on purpose).
  // scripts/ensure-system-tools.sh installs dicom3tools before the tests, so this check always runs.
  test('dciodvfy finds no error and no missing Type 1 attribute in the Comprehensive SR IOD', () => {
    const run = spawnSync('dciodvfy', ['-new', file], { encoding: 'utf8' });
    const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toContain('ComprehensiveSR');
    expect(lines.filter((line) => /^Error/.test(line))).toEqual([]);
    const missing = lines.filter((line) => /Missing/.test(line) && !/Study(Date|Time|ID)\(.*needed to build DICOMDIR/.test(line));
    expect(missing).toEqual([]);
  });

  test('a revision lists the SR it replaces as its predecessor (Type 1C), and dciodvfy still finds no error', () => {
    const revised = buildMeasurementReportSr({ ...input, version: 3, status: 'amended' }, { study, predecessor: { version: 2, sopInstanceUid } });
    const revisedFile = written('revised.dcm', revised.bytes);
    const dump = execFileSync('dcmdump', ['+P', '0040,a360', '+P', '0008,1155', '+P', '0020,000e', revisedFile], { encoding: 'utf8' });
    expect(dump).toContain('(0040,a360) SQ');
    expect(dump).toContain(`[${sopInstanceUid}]`);
    expect(dump).toContain(`[${srSeriesUid(input.studyKey, 2)}]`);
    const run = spawnSync('dciodvfy', ['-new', revisedFile], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`.split('\n').filter((line) => /^Error/.test(line))).toEqual([]);
    expect(spawnSync('dsrdump', ['-Ee', '-Ec', revisedFile], { encoding: 'utf8' }).stderr).toBe('');
    // Without a predecessor there is no sequence at all.
    expect(execFileSync('dcmdump', ['+P', '0040,a360', file], { encoding: 'utf8' })).toBe('');
  });

  test('a preliminary report is a PARTIAL document with its own SOP instance; an amended one COMPLETE', () => {
    const prelim = buildMeasurementReportSr({ ...input, status: 'preliminary' }, { study });
    const amended = buildMeasurementReportSr({ ...input, status: 'amended' }, { study });
    expect(prelim.sopInstanceUid).not.toBe(sopInstanceUid);
    expect(amended.sopInstanceUid).not.toBe(prelim.sopInstanceUid);
    const flag = (sr: Buffer) => execFileSync('dcmdump', ['+P', '0040,a491', written(`f-${Math.random()}.dcm`, sr)], { encoding: 'utf8' });
    expect(flag(prelim.bytes)).toContain('[PARTIAL]');
    expect(flag(amended.bytes)).toContain('[COMPLETE]');
  });

  describe('verification (PS3.3 C.17.2)', () => {
    const reviewer = 'a1b2c3d4-0000-4000-8000-1234567890ab';
    const decidedAt = '2025-02-03T03:59:01.250Z';
    /** dciodvfy: no error and nothing missing beyond the empty study date/time/ID; dsrdump: no error or warning. */
    function expectValid(srFile: string): void {
      const run = spawnSync('dciodvfy', ['-new', srFile], { encoding: 'utf8' });
      const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '' && !/Study(Date|Time|ID)\(.*needed to build DICOMDIR/.test(line));
      expect(lines).toEqual(['ComprehensiveSR']);
      const read = spawnSync('dsrdump', ['-Ee', '-Ec', srFile], { encoding: 'utf8' });
      expect(read.stderr).toBe('');
      expect(read.status).toBe(0);
    }

    test.each([
      ['APPROVED', 'final'],
      ['AMENDED', 'final'],
      ['APPROVED', 'amended'],
    ] as const)('a version a clinician %s (%s report) is VERIFIED by the pseudonymous reviewer at the decision time', (decision, status) => {
      const sr = buildMeasurementReportSr({ ...input, status, reviewDecision: decision, reviewer, decidedAt }, { study });
      const srFile = written(`verified-${decision}-${status}.dcm`, sr.bytes);
      const tags = execFileSync('dcmdump', ['+P', '0040,a493', '+P', '0040,a075', '+P', '0040,a030', '+P', '0040,a027', '+P', '0040,a088', srFile], { encoding: 'utf8' });
      expect(tags).toMatch(/\(0040,a493\) CS \[VERIFIED\]/);
      expect(tags).toContain(`(0040,a075) PN [${reviewer}^]`);
      expect(tags).toContain('(0040,a030) DT [20250203035901.250+0000]');
      expect(tags).toContain('(0040,a027) LO [cdk-medical-imaging-pipeline clinician review]');
      expect(tags).toMatch(/\(0040,a088\) SQ \(Sequence with explicit length #=0\)/);
      expect(execFileSync('dsrdump', [srFile], { encoding: 'utf8' })).toContain(`Verifying Observers : 2025-02-03 03:59:01 +00:00, ${reviewer}`);
      expectValid(srFile);
    });

    test('the observer name is the reviewer id without PN delimiters, within one 64-character component group', () => {
      const arn = `arn:aws:sts::123456789012:assumed-role/Reviewers/session=a^b\\c-${'x'.repeat(40)}`;
      const sr = buildMeasurementReportSr({ ...input, reviewDecision: 'APPROVED', reviewer: arn, decidedAt }, { study });
      const srFile = written('verified-arn.dcm', sr.bytes);
      const name = /\(0040,a075\) PN \[([^\]]*)\]/.exec(execFileSync('dcmdump', ['+P', '0040,a075', srFile], { encoding: 'utf8' }))?.[1];
      expect(name).toBe(`${arn.replace(/[=^\\]/g, '_').slice(0, 63)}^`);
      expectValid(srFile);
    });

    test.each([
      ['an auto-released report', { status: 'final' }],
      ['a preliminary report awaiting review', { status: 'preliminary' }],
      ['a report issued when the review window expired', { status: 'preliminary', reviewDecision: 'TIMED_OUT' }],
      ['a report whose AI findings a clinician rejected', { status: 'preliminary', reviewDecision: 'REJECTED', reviewer, decidedAt }],
      ['an amended report of a version released automatically', { status: 'amended' }],
      ['a decision without its time', { status: 'final', reviewDecision: 'APPROVED', reviewer }],
    ] as const)('%s stays UNVERIFIED, without a verifying observer', (name, overrides) => {
      const sr = buildMeasurementReportSr({ ...input, ...overrides }, { study });
      const srFile = written(`unverified-${name.replace(/\W+/g, '-')}.dcm`, sr.bytes);
      const tags = execFileSync('dcmdump', ['+P', '0040,a493', '+P', '0040,a073', srFile], { encoding: 'utf8' });
      expect(tags).toMatch(/\(0040,a493\) CS \[UNVERIFIED\]/);
      expect(tags).not.toContain('(0040,a073)');
      expectValid(srFile);
    });
  });

  test('the content tree is TID 1500 with a measurement group per finding, coded or text, and a SCOORD region', () => {
    const tree = execFileSync('dsrdump', ['+Pc', '+Pn', file], { encoding: 'utf8' });
    expect(tree).toContain('1  <CONTAINER:(126000,DCM,"Imaging Measurement Report")=SEPARATE>');
    expect(tree).toContain('<has obs context CODE:(121005,DCM,"Observer Type")=(121007,DCM,"Device")>');
    expect(tree).toContain('<contains CONTAINER:(111028,DCM,"Image Library")=SEPARATE>');
    expect(tree).toContain('<contains CONTAINER:(126010,DCM,"Imaging Measurements")=SEPARATE>');
    expect(tree.match(/\(125007,DCM,"Measurement Group"\)/g)).toHaveLength(2);
    expect(tree).toContain('(121071,DCM,"Finding")=(36118008,SCT,"Pneumothorax")');
    expect(tree).toContain('<contains TEXT:(121071,DCM,"Finding")="Underexposed image">');
    expect(tree).toContain('<contains NUM:(C45770,NCIt,"Confidence")="0.9300" (1,UCUM,"no units")>');
    expect(tree).toMatch(/<contains SCOORD:\(111030,DCM,"Image Region"\)=\(POLYLINE,100\/100,/);
    expect(tree).toMatch(/<selected from IMAGE:\(260753009,SCT,"Source"\)/);
    // Template, region in pixels and references to the de-identified instances, read back by dcmdump.
    const dump = execFileSync('dcmdump', ['+P', '0040,db00', '+P', '0070,0022', '+P', '0008,1155', '+P', '0008,0018', file], { encoding: 'utf8' });
    expect(dump).toContain('[1500]');
    expect(dump).toMatch(/100\\100\\400\\100\\400\\300\\100\\300\\100\\100/);
    expect(dump).toContain('[2.25.111]');
    expect(dump).toContain('[2.25.112]');
    expect(dump).toContain(`[${sopInstanceUid}]`);
  });
});
