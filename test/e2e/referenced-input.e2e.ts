/**
 * Referenced input on the local runner: `Analysis Requested` events on the
 * pipeline bus name a stored series (a prefix) and a single stored image in an
 * archive bucket the example is told about; both go through the upload ingest to
 * a completed study, read only, and refusals are announced without PHI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { capturedOutputs, E2E_DIR, eventsBreakingTheirSchema, findPhi } from './support';
import { dicomSeries, phiStrings, pngUpload } from '../../scripts/local-runner/dataset';
import { LocalSystem } from '../../scripts/local-runner/local-system';
import { synthesizeExample } from '../../scripts/local-runner/template';

const ARCHIVE = 'local-hospital-archive';

test('a stored series (prefix) and a stored image (key) are analysed; the archive is untouched; refusals carry no key', async () => {
  const example = synthesizeExample(path.join(E2E_DIR, 'referenced', 'cdk.out'), { referencedBucketName: ARCHIVE, referencedKeyPrefix: 'studies/' });
  const dir = path.join(E2E_DIR, 'runs', 'referenced');
  fs.rmSync(dir, { recursive: true, force: true });
  const system = await LocalSystem.start({ example, workDir: dir, sweepIntervalMs: 500, quietPeriodSeconds: 2 });
  try {
    const series = dicomSeries({ study: 71, slices: 12, modality: 'CT', announceCount: true, keyPrefix: 'studies/2019/' });
    const photo = pngUpload(72, 120, 90, 'studies/2020/');
    for (const item of [...series, photo]) await system.storeElsewhere(ARCHIVE, item.key, item.body);

    system.requestAnalysis({ version: '1', bucket: ARCHIVE, prefix: 'studies/2019/' });
    system.requestAnalysis({ version: '1', bucket: ARCHIVE, key: photo.key });
    // Refused: outside the source prefix, and a bucket the pipeline may not read.
    system.requestAnalysis({ version: '1', bucket: ARCHIVE, key: 'private/CONFIDENTIAL_PATIENT.dcm' });
    system.requestAnalysis({ version: '1', bucket: 'someone-elses-bucket', prefix: 'studies/' });
    await system.settle(120_000);

    const items = await system.scanTable();
    const studies = items.filter((item) => item.PK.startsWith('STUDY#') && item.SK === 'META');
    expect(studies).toHaveLength(2);
    expect(studies.map((study) => study.status).sort()).toEqual(['COMPLETED', 'COMPLETED']);
    expect(items.filter((item) => item.SK.startsWith('INSTANCE#'))).toHaveLength(series.length + 1);
    const rejected = system.events.filter((e) => e.event['detail-type'] === 'Object Rejected').map((e) => (e.event.detail as { reasonCode: string }).reasonCode);
    expect(rejected.sort()).toEqual(['SOURCE_NOT_ALLOWED', 'SOURCE_NOT_ALLOWED']);
    // Read only: every stored object is still there, and nothing was written to the archive.
    for (const item of [...series, photo]) expect((await system.getObject(ARCHIVE, item.key)).length).toBe(item.body.length);
    expect(system.queue(system.resources.deadLetterQueue).all()).toEqual([]);

    const hits = findPhi(capturedOutputs(system), [...phiStrings([71], 12), ...phiStrings([72], 1), 'CONFIDENTIAL_PATIENT']);
    expect(hits).toEqual([]);
    expect(eventsBreakingTheirSchema(system)).toEqual([]);
  } finally {
    await system.stop();
  }
}, 240_000);
