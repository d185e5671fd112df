/**
 * "Persist results" writes every report of a revision from what ingest and
 * "Select images" stored (dynalite + s3rver): instance records with their
 * de-identified UIDs -> the manifest -> ImagingStudy, derivedFrom and the SR;
 * the analysis PNGs -> bounded thumbnails in the HTML report. Each revision
 * has its own keys, indexed on its REPORT item; a late decision (no workflow
 * state) finds the manifest by its key.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { outcomeOf } from '../../../src/core/analysis';
import { generatedStudyUid, MAX_REPORT_PREVIEWS } from '../../../src/core/reports';
import { persistResults, PersistResultsDeps, structuredReportKey } from '../../../src/runtime/steps/persist-results';
import { selectImages } from '../../../src/runtime/steps/select-images';
import { recordInstance, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { putObjects, putJson } from '../../../src/runtime/storage/objects';
import { listReports } from '../../../src/runtime/storage/results';
import { AnalyzerFinding, StudyContext } from '../../../src/shared/analyzer-result';
import { instanceSk, StudyStatus } from '../../../src/shared/records';
import { makePng } from '../../fixtures/images';
import { fhirSchemaErrors } from '../../support/fhir-schema';
import { silentLog, useLocalEngines } from '../../support/handler-harness';
import { analyzerResult, CR_IMAGE_STORAGE } from '../../support/report-fixtures';
import { testStudyKey } from '../../support/study-keys';
import { summaryOf } from '../../support/summaries';

const local = useLocalEngines();
const NOW = new Date('2025-04-01T09:00:00.000Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'persist-reports-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const deps = (extra: Partial<PersistResultsDeps> = {}): PersistResultsDeps => ({
  table: local.table, s3: local.engines.s3, reportsBucket: local.engines.buckets.reports, log: silentLog(), clock: () => NOW, ...extra,
});
const read = async (key: string) => Buffer.from(await (await local.engines.s3.send(new GetObjectCommand({
  Bucket: local.engines.buckets.reports, Key: key,
}))).Body!.transformToByteArray());

/** A READY study of `images` instances (DICOM with de-identified UIDs, or one PNG) with analysis PNGs, claimed by "Select images". */
async function selected(kind: 'dicom' | 'png', images: number): Promise<StudyContext> {
  const studyKey = testStudyKey(`persist-reports-${++counter}`);
  const at = NOW.toISOString();
  for (let i = 1; i <= images; i++) {
    const [seriesKey, instanceKey] = kind === 'png' ? [studyKey, studyKey] : [`s${i <= 2 ? 1 : 2}`, `i${i}`];
    const prefix = `studies/${studyKey}/${seriesKey}/${instanceKey}/`;
    await putObjects(local.engines.s3, local.engines.buckets.derived, [
      { key: `${prefix}analysis.png`, body: makePng(200, 100, (x, y) => (x * i + y) % 256), contentType: 'image/png' },
    ]);
    await recordInstance(local.table, {
      studyKey,
      seriesKey,
      instanceKey,
      kind,
      modality: kind === 'png' ? 'OT' : 'CR',
      width: 2000,
      height: 1000,
      analysisWidth: 200,
      analysisHeight: 100,
      previewKey: `${prefix}preview.png`,
      analysisKey: `${prefix}analysis.png`,
      metadataKey: `${prefix}metadata.json`,
      sourceSha256: 'b'.repeat(64),
      receivedAt: at,
      ...(kind === 'png' ? {} : {
        bodyPart: 'CHEST',
        sopClassUid: CR_IMAGE_STORAGE,
        dicomKey: `${prefix}instance.dcm`,
        dicomUids: { studyInstanceUid: '2.25.77', seriesInstanceUid: `2.25.77${seriesKey.slice(1)}`, sopInstanceUid: `2.25.77${seriesKey.slice(1)}0${i}` },
      }),
    });
    await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk(seriesKey, instanceKey), arrivedAt: at, singleImage: kind === 'png', now: at });
  }
  await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: at });
  const select = { table: local.table, s3: local.engines.s3, derivedBucket: local.engines.buckets.derived, clock: () => NOW };
  return selectImages(select, { studyKey, version: 1 });
}

async function persisted(study: StudyContext, findings: AnalyzerFinding[], extra: Partial<PersistResultsDeps> = {}) {
  const result = analyzerResult(findings);
  const location = { bucket: local.engines.buckets.derived, key: `studies/${study.studyKey}/v0001/analyses/quality/result.json` };
  await putJson(local.engines.s3, location, result);
  const state = {
    studyKey: study.studyKey,
    version: 1,
    study,
    results: [outcomeOf({ ...result, imageCount: study.imageCount, failedImageCount: 0 }, location)],
    aggregate: summaryOf(findings.map((f) => f.confidence)),
  };
  await persistResults(deps(extra), state);
  const [record] = await listReports(local.table, study.studyKey);
  return { state, record };
}

type Entry = { fullUrl: string; resource: Record<string, any> };
const entries = (bundle: Buffer): Entry[] => JSON.parse(bundle.toString('utf8')).entry;

test('a DICOM study: the Bundle has the ImagingStudy of its de-identified UIDs, the SR is written beside it and indexed', async () => {
  const study = await selected('dicom', 6);
  const { record } = await persisted(study, [
    { label: 'Nodule', confidence: 0.91, imageRef: 's2/i5', region: { left: 0.5, top: 0.5, width: 0.25, height: 0.25 } },
    { label: 'Effusion', confidence: 0.88, imageRef: 's1/i2' },
  ]);
  const srKey = structuredReportKey(study.studyKey, 1, 1);
  expect(record).toMatchObject({ reportStatus: 'final', bundleKey: expect.stringMatching(/\/reports\/v1\/r1\/fhir-bundle\.json$/), srKey });
  expect(record.srSopInstanceUid).toMatch(/^2\.25\.\d+$/);

  const bundle = entries(await read(record.bundleKey!));
  expect(fhirSchemaErrors({ resourceType: 'Bundle', type: 'collection', entry: bundle })).toEqual([]);
  const imaging = bundle.find((e) => e.resource.resourceType === 'ImagingStudy')!;
  expect(imaging.resource.identifier[0].value).toBe('urn:oid:2.25.77');
  expect(imaging.resource.series.map((s: any) => [s.uid, s.instance.length])).toEqual([['2.25.771', 2], ['2.25.772', 4]]);
  const observations = bundle.filter((e) => e.resource.resourceType === 'Observation');
  expect(observations.map((o) => o.resource.derivedFrom)).toEqual([[{ reference: imaging.fullUrl }], [{ reference: imaging.fullUrl }]]);

  const file = path.join(dir, 'dicom-sr.dcm');
  fs.writeFileSync(file, await read(srKey));
  const dump = spawnSync('dsrdump', ['-Ee', '-Ec', file], { encoding: 'utf8' });
  expect(dump.stderr).toBe('');
  expect(dump.stdout).toContain('Imaging Measurement Report');
  // The region is in the pixels of the image the finding names (2000 x 1000), on its de-identified SOP instance.
  const attributes = spawnSync('dcmdump', ['+P', '0070,0022', '+P', '0008,1155', '+P', '0008,0018', file], { encoding: 'utf8' }).stdout;
  expect(attributes).toMatch(/1000\\500\\1500\\500\\1500\\750\\1000\\750\\1000\\500/);
  expect(attributes).toContain('[2.25.77205]');
  expect(attributes).toContain(`[${record.srSopInstanceUid}]`);

  const html = (await read(record.htmlKey)).toString('utf8');
  expect(html).toContain('<dt>Images</dt><dd>6</dd>');
  expect(html).toContain('<dt>Body part</dt><dd>CHEST</dd>');
  const thumbnails = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)" alt="([^"]+)">/g)];
  expect(thumbnails).toHaveLength(MAX_REPORT_PREVIEWS);
  // The images the findings name come first.
  expect(thumbnails.map((t) => t[2].split(' ')[3])).toEqual(['s2/i5,', 's1/i2,', 's1/i1,', 's2/i3,']);
  for (const [, data] of thumbnails) expect(Buffer.from(data, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
});

test('a late decision (no workflow state) finds the manifest by its key; each revision keeps its own documents', async () => {
  const study = await selected('dicom', 2);
  const { state, record: first } = await persisted(study, [{ label: 'Nodule', confidence: 0.91, imageRef: 's1/i1' }]);
  const { study: _study, ...withoutStudy } = state;
  const decided = { ...withoutStudy, review: { decision: 'APPROVED' as const, reviewer: 'rev-1', decidedAt: '2025-06-01T10:20:30.000Z' } };
  await persistResults(deps({ derivedBucket: local.engines.buckets.derived }), decided, { revision: 2 });
  const reports = await listReports(local.table, study.studyKey);
  expect(reports.map((r) => [r.revision, r.reportStatus, r.srKey])).toEqual([
    [1, 'final', structuredReportKey(study.studyKey, 1, 1)],
    [2, 'amended', structuredReportKey(study.studyKey, 1, 2)],
  ]);
  const second = entries(await read(reports[1].bundleKey!));
  expect(second.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource.status).toBe('amended');
  expect(second.some((e) => e.resource.resourceType === 'ImagingStudy')).toBe(true);
  // The first revision's objects are still there, unchanged in status.
  expect(JSON.parse((await read(first.fhirKey)).toString('utf8')).status).toBe('final');
  expect(reports[1].srSopInstanceUid).not.toBe(first.srSopInstanceUid);
  // The revision's SR names the one it replaces.
  const file = path.join(dir, 'revised-sr.dcm');
  fs.writeFileSync(file, await read(reports[1].srKey!));
  const predecessor = spawnSync('dcmdump', ['+P', '0040,a360', '+P', '0008,1155', file], { encoding: 'utf8' }).stdout;
  expect(predecessor).toContain('(0040,a360) SQ');
  expect(predecessor).toContain(`[${first.srSopInstanceUid}]`);
  // The clinician's decision reaches the SR: verified by the reviewer at the decision time (the first, auto-released, is not).
  const verification = spawnSync('dcmdump', ['+P', '0040,a493', '+P', '0040,a075', '+P', '0040,a030', file], { encoding: 'utf8' }).stdout;
  expect(verification).toContain('[VERIFIED]');
  expect(verification).toContain('(0040,a075) PN [rev-1^]');
  expect(verification).toContain('(0040,a030) DT [20250601102030.000+0000]');
  const firstFile = path.join(dir, 'first-sr.dcm');
  fs.writeFileSync(firstFile, await read(first.srKey!));
  expect(spawnSync('dcmdump', ['+P', '0040,a493', firstFile], { encoding: 'utf8' }).stdout).toContain('[UNVERIFIED]');
});

test('a PNG study gets an SR only with structuredReportForImages, under the study UID derived from its key', async () => {
  const plain = await selected('png', 1);
  const { record: without } = await persisted(plain, [{ label: 'Blurred', confidence: 0.9, imageRef: `${plain.studyKey}/${plain.studyKey}` }]);
  expect(without.srKey).toBeUndefined();
  expect(entries(await read(without.bundleKey!)).some((e) => e.resource.resourceType === 'ImagingStudy')).toBe(false);

  const asked = await selected('png', 1);
  const { record } = await persisted(asked, [{ label: 'Blurred', confidence: 0.9, imageRef: `${asked.studyKey}/${asked.studyKey}` }], { structuredReportForImages: true });
  const file = path.join(dir, 'png-sr.dcm');
  fs.writeFileSync(file, await read(record.srKey!));
  expect(spawnSync('dsrdump', [file], { encoding: 'utf8' }).stderr).toBe('');
  expect(spawnSync('dcmdump', ['+P', '0020,000d', file], { encoding: 'utf8' }).stdout).toContain(`[${generatedStudyUid(asked.studyKey)}]`);
  const html = (await read(record.htmlKey)).toString('utf8');
  expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(1);
});
