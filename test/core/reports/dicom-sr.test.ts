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
