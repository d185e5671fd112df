/**
 * Clinical reports end to end on the local runner (the example's template,
 * bundled handlers, dynalite, s3rver, aws-local-stepfunctions): one DICOM
 * study goes preliminary -> final -> amended across two versions, every
 * revision's FHIR Bundle is valid R4 and references the de-identified UIDs the
 * stored DICOM carries, a TID 1500 SR and an HTML report with thumbnails sit
 * beside it, and nothing the pipeline wrote or sent (events, SNS messages,
 * logs, executions, every object of the reports bucket) holds any identifying
 * value of the uploads, PHI that fills every tag the generator writes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { capturedOutputs, E2E_DIR, eventsBreakingTheirSchema, findPhi, reportObjects } from './support';
import { dicomSeries, jpegUpload, phiStrings, pngUpload, studyPhi } from '../../scripts/local-runner/dataset';
import { LocalSystem, StudyItem } from '../../scripts/local-runner/local-system';
import { SynthesizedExample, synthesizeExample } from '../../scripts/local-runner/template';
import { elementText, findElement, readPart10, Tags } from '../../src/core/deid';
import { fhirSchemaErrors } from '../support/fhir-schema';

const STUDY = 60;
const SLICES = 3;
const series = dicomSeries({ study: STUDY, modality: 'CT', slices: SLICES + 1, size: 64 });
const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;
/** The Study Date the DICOM generator writes into every file (test/fixtures/dicom-writer.ts). */
const GENERATOR_STUDY_DATE = '20240102';

let example: SynthesizedExample;
let system: LocalSystem;

beforeAll(async () => {
  // PNG/JPEG studies get an SR too (generated UIDs), so the PHI scan reads theirs as well.
  example = synthesizeExample(path.join(E2E_DIR, 'reports', 'cdk.out'), { structuredReportForImages: 'true' });
  const workDir = path.join(E2E_DIR, 'runs', 'reports');
  fs.rmSync(workDir, { recursive: true, force: true });
  // Nobody answers a review in time: each version gets a preliminary report first, then a late decision revises it.
  system = await LocalSystem.start({ example, workDir, sweepIntervalMs: 500, quietPeriodSeconds: 1, review: { mode: 'timeout' } });
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const json = (body: string | Buffer) => JSON.parse(body.toString()) as Record<string, any>;
const reportsOf = (items: StudyItem[], studyKey: string) => items.filter((i) => i.PK === `STUDY#${studyKey}` && i.SK.startsWith('REPORT#'));
const report = (key: unknown) => system.getObject(system.resources.reportsBucket, String(key));
type Entry = { fullUrl: string; resource: Record<string, any> };
const ofType = (bundle: Record<string, any>, type: string) => (bundle.entry as Entry[]).filter((e) => e.resource.resourceType === type);

/** Approves version `version` after its deadline through the review API (a late decision: report revision 2). */
async function approveLate(studyKey: string, version: number): Promise<void> {
  const response = await system.reviewApi!.call('POST', `studies/${studyKey}/decision`, { session: 'dr-reports', body: { version, decision: 'APPROVE' } });
  expect([response.status, json(response.body).outcome]).toEqual([200, 'REPORT_REVISED']);
}

let studyKey: string;

test('a DICOM study: preliminary at the deadline, final after a late approval, amended after a new version and its approval', async () => {
  for (const upload of series.slice(0, SLICES)) await system.upload(upload.key, upload.body);
  // Study 61 (PNG) and 62 (JPEG) carry the same kind of PHI in their text chunk and comment: their reports are scanned too.
  for (const upload of [pngUpload(STUDY + 1, 200, 150), jpegUpload(STUDY + 2, 160, 120)]) await system.upload(upload.key, upload.body);
  await system.settle(60_000);
  const meta = (await system.scanTable()).find((i) => i.SK === 'META' && i.modality === 'CT')!;
  studyKey = String(meta.studyKey);
  expect(meta).toMatchObject({ status: 'IN_REVIEW', version: 1, reviewOverdue: true });
  await approveLate(studyKey, 1);

  // A slice arriving after the study was decided opens version 2, which again waits, then is approved late.
  await system.upload(series[SLICES].key, series[SLICES].body);
  await system.settle(60_000);
  await approveLate(studyKey, 2);

  const items = await system.scanTable();
  const revisions = reportsOf(items, studyKey);
  expect(revisions.map((r) => [r.version, r.revision, r.reportStatus])).toEqual([[1, 1, 'preliminary'], [1, 2, 'final'], [2, 1, 'preliminary'], [2, 2, 'amended']]);
  // Every revision kept, each under its own keys, and each Bundle's DiagnosticReport carries that revision's status.
  expect(new Set(revisions.flatMap((r) => [r.fhirKey, r.bundleKey, r.htmlKey, r.srKey])).size).toBe(16);
  for (const revision of revisions) {
    const bundle = json(await report(revision.bundleKey));
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    expect(ofType(bundle, 'DiagnosticReport')[0].resource.status).toBe(revision.reportStatus);
    expect(json(await report(revision.fhirKey)).status).toBe(revision.reportStatus);
    const agents = ofType(bundle, 'Provenance')[0].resource.agent.map((a: any) => a.type.coding[0].code);
    expect(agents.includes('attester')).toBe(revision.revision === 2);
  }
  const worklist = json((await system.reviewApi!.call('GET', 'worklist', { session: 'dr-reports' })).body).studies as Array<Record<string, unknown>>;
  expect(worklist.map((w) => w.studyKey)).not.toContain(studyKey);
  expect(eventsBreakingTheirSchema(system)).toEqual([]);
}, 120_000);

test('each Bundle references the de-identified study the stored DICOM carries (never the original UIDs); the SR too', async () => {
  const items = await system.scanTable();
  const instances = items.filter((i) => i.PK === `STUDY#${studyKey}` && i.SK.startsWith('INSTANCE#'));
  expect(instances).toHaveLength(SLICES + 1);
  // The UIDs recorded at ingest are those of the de-identified file in the derived bucket.
  for (const instance of instances) {
    const stored = readPart10(await system.getObject(system.resources.derivedBucket, String(instance.dicomKey))).dataset;
    expect(instance.dicomUids).toEqual({
      studyInstanceUid: elementText(findElement(stored, STUDY_INSTANCE_UID)),
      seriesInstanceUid: elementText(findElement(stored, SERIES_INSTANCE_UID)),
      sopInstanceUid: elementText(findElement(stored, Tags.SOP_INSTANCE_UID)),
    });
  }
  const studyUid = String((instances[0].dicomUids as Record<string, string>).studyInstanceUid);
  expect(studyUid).not.toBe(studyPhi(STUDY).studyUid);
  expect(studyUid).toMatch(/^2\.25\./);

  const revisions = reportsOf(items, studyKey);
  for (const revision of revisions) {
    const bundle = json(await report(revision.bundleKey));
    const [imaging] = ofType(bundle, 'ImagingStudy');
    expect(imaging.resource.identifier[0].value).toBe(`urn:oid:${studyUid}`);
    // Version 1 had three instances, version 2 four.
    expect(imaging.resource.numberOfInstances).toBe(revision.version === 1 ? SLICES : SLICES + 1);
    for (const observation of ofType(bundle, 'Observation')) expect(observation.resource.derivedFrom).toEqual([{ reference: imaging.fullUrl }]);

    const file = path.join(E2E_DIR, 'runs', 'reports', `sr-v${revision.version}-r${revision.revision}.dcm`);
    fs.writeFileSync(file, await report(revision.srKey));
    const dump = spawnSync('dsrdump', ['-Ee', '-Ec', file], { encoding: 'utf8' });
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toContain('Imaging Measurement Report');
    const attributes = spawnSync('dcmdump', ['+P', '0020,000d', '+P', '0040,a491', '+P', '0040,a493', '+P', '0008,0018', '+P', '0040,a360', '+P', '0008,1155', file], {
      encoding: 'utf8',
    }).stdout;
    expect(attributes).toContain(`[${studyUid}]`);
    expect(attributes).toContain(revision.reportStatus === 'preliminary' ? '[PARTIAL]' : '[COMPLETE]');
    // The late approval verified its revision; the preliminary reports (review window expired) are not verified.
    expect(attributes).toContain(revision.reviewDecision === 'APPROVED' ? '[VERIFIED]' : '[UNVERIFIED]');
    expect(attributes).toContain(`[${revision.srSopInstanceUid}]`);
    // Every SR after the first names the one before it as its predecessor.
    const previous = revisions[revisions.indexOf(revision) - 1];
    expect(attributes.includes('(0040,a360) SQ')).toBe(previous !== undefined);
    if (previous !== undefined) expect(attributes).toContain(`[${previous.srSopInstanceUid}]`);
  }
  expect(new Set(revisions.map((r) => r.srSopInstanceUid)).size).toBe(revisions.length);
  // Both late approvals (revision 2 of each version) are verified documents.
  expect(revisions.filter((r) => r.reviewDecision === 'APPROVED').map((r) => r.revision)).toEqual([2, 2]);
});

test('the HTML report shows the study summary and thumbnails embedded as data: URIs', async () => {
  const [, final] = reportsOf(await system.scanTable(), studyKey);
  const html = (await report(final.htmlKey)).toString('utf8');
  expect(html).toContain('<dt>Modality</dt><dd>CT</dd>');
  expect(html).toContain(`<dt>Images</dt><dd>${SLICES}</dd>`);
  expect(html).toContain(`<dd>${studyKey}</dd>`);
  expect(html).toContain('Approved by a clinician');
  const thumbnails = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)" alt="[^"]+">/g)];
  expect(thumbnails).toHaveLength(SLICES);
  for (const [, data] of thumbnails) expect(Buffer.from(data, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
});

test('no identifying value of any upload is in an event, SNS message, log, execution or any object of the reports bucket', async () => {
  const objects = await reportObjects(system);
  const keys = objects.map((o) => o.where);
  // Four revisions of the DICOM study, and at least the preliminary reports of the PNG and JPEG studies (SR included).
  expect(keys.filter((k) => k.endsWith('.dcm')).length).toBe(6);
  expect(keys.filter((k) => k.endsWith('fhir-bundle.json')).length).toBeGreaterThanOrEqual(6);
  const studies = [STUDY, STUDY + 1, STUDY + 2];
  // Every value the generator filled, the spellings the upload keys use, and the original study date.
  const phi = [
    ...phiStrings(studies, SLICES + 1),
    ...studies.map((s) => studyPhi(s).patientName.replace('^', '_')),
    ...studies.flatMap((s) => studyPhi(s).patientName.split('^')),
    GENERATOR_STUDY_DATE,
  ];
  const outputs = [...capturedOutputs(system), ...objects];
  expect(system.notifications.length).toBeGreaterThan(0);
  expect(findPhi(outputs, phi)).toEqual([]);
  // The scan can find what it looks for: the uploads carry those values (the PNG's and JPEG's in their text).
  const text = (uploads: typeof series) => uploads.map((u) => ({ where: u.key, text: `${u.key}\n${u.body.toString('latin1')}` }));
  const spelledWithSpace = studyPhi(STUDY).patientName.replace('^', ' '); // a spelling scanned for, not one the file uses
  const inDicom = [...phiStrings([STUDY], SLICES + 1), GENERATOR_STUDY_DATE].filter((value) => value !== spelledWithSpace);
  expect(inDicom.filter((value) => findPhi(text(series), [value]).length === 0)).toEqual([]);
  const [png, jpeg] = [studyPhi(STUDY + 1), studyPhi(STUDY + 2)];
  expect(findPhi(text([pngUpload(STUDY + 1, 200, 150)]), [png.patientName, png.patientId, png.birthDate])).toHaveLength(3);
  expect(findPhi(text([jpegUpload(STUDY + 2, 160, 120)]), [jpeg.patientName, jpeg.accessionNumber])).toHaveLength(2);
});
