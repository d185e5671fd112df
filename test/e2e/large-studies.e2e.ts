/**
 * Studies of real size through the local runner: a 3,000-image CT and a
 * 10,000-image study are uploaded, ingested, analysed and reported like any
 * other, and no workflow state grows with them (the largest is printed). Then
 * an execution is killed outside the workflow's catch path, and the study
 * still ends FAILED with a `Study Failed` event.
 */
import * as fs from 'fs';
import * as path from 'path';
import { E2E_DIR } from './support';
import { dicomSeries, Upload } from '../../scripts/local-runner/dataset';
import { LocalSystem, sleep, StudyItem } from '../../scripts/local-runner/local-system';
import { synthesizeExample } from '../../scripts/local-runner/template';
import { executionName } from '../../src/shared/records';

const QUIET_PERIOD_SECONDS = 120;
const LARGEST_STATE_BYTES = 64 * 1024;

async function uploadAll(system: LocalSystem, uploads: readonly Upload[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < uploads.length; i = next++) await system.upload(uploads[i].key, uploads[i].body);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const metaOf = (items: StudyItem[], studyKey: string) => items.find((i) => i.PK === `STUDY#${studyKey}` && i.SK === 'META');

describe('studies of real size', () => {
  let system: LocalSystem;
  let items: StudyItem[];
  // The series announce their instance count (0020,1208): each is ready the moment its last slice is
  // recorded (counted as it arrives, no query over thousands of instances), whatever the upload pace.
  const ct = dicomSeries({ study: 40, modality: 'CT', slices: 3000, size: 16, announceCount: true });
  const huge = dicomSeries({ study: 41, modality: 'MR', slices: 10_000, size: 16, announceCount: true });

  beforeAll(async () => {
    const example = synthesizeExample(path.join(E2E_DIR, 'large', 'cdk.out'));
    const workDir = path.join(E2E_DIR, 'runs', 'large');
    fs.rmSync(workDir, { recursive: true, force: true });
    system = await LocalSystem.start({
      example,
      workDir,
      quietPeriodSeconds: QUIET_PERIOD_SECONDS,
      sweepIntervalMs: 1000,
      visibilityTimeoutMs: 60_000,
    });
    const started = Date.now();
    await uploadAll(system, [...ct, ...huge]);
    const uploaded = Date.now();
    await system.settle(900_000);
    items = await system.scanTable();
    // Where the time goes (absolute figures: they drift with the machine's load).
    const runs = [...system.workflow.executions.values()]
      .map((e) => `${(e.output as { study?: { imageCount?: number } } | undefined)?.study?.imageCount} images: `
        + `started ${((e.startedAt - started) / 1000).toFixed(0)} s in, ran ${(((e.endedAt ?? Date.now()) - e.startedAt) / 1000).toFixed(0)} s`);
    process.stdout.write(`large studies: uploads took ${((uploaded - started) / 1000).toFixed(0)} s; ${runs.join('; ')}\n`);
  }, 1_200_000);

  afterAll(async () => system?.stop());

  test('a 3,000-image CT and a 10,000-image study both complete, every image analysed, no state above 64 KB', () => {
    const executions = [...system.workflow.executions.values()];
    expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const largest = system.workflow.largestStatePayloadBytes;
    process.stdout.write(`largest workflow state payload: ${largest} bytes (3,000- and 10,000-image studies)\n`);
    expect(largest).toBeLessThan(LARGEST_STATE_BYTES);
    const imageCounts = executions.map((e) => (e.output as { study: { imageCount: number } }).study.imageCount).sort((a, b) => a - b);
    expect(imageCounts).toEqual([3000, 10_000]);
    for (const execution of executions) {
      const studyKey = JSON.parse(execution.input).studyKey as string;
      expect(metaOf(items, studyKey)).toMatchObject({ status: 'COMPLETED', version: 1 });
      const analyses = items.filter((i) => i.PK === `STUDY#${studyKey}` && i.SK.startsWith('ANALYSIS#'));
      const total = (execution.output as { study: { imageCount: number } }).study.imageCount;
      // Every image through the image-quality check, in batches run by a Distributed Map of child executions.
      expect(analyses.find((a) => a.analyzerName === 'image-quality')).toMatchObject({ status: 'SUCCEEDED', imageCount: total, failedImageCount: 0 });
      expect(execution.statesEntered).toContain('image-quality batches (large study)');
      expect(execution.childExecutions).toBeGreaterThanOrEqual(Math.ceil(total / 25));
    }
  });

  test('an execution killed outside the catch path still leaves its study FAILED, with a Study Failed event', async () => {
    const small = dicomSeries({ study: 42, modality: 'CT', slices: 3, size: 16, announceCount: true });
    await uploadAll(system, small);
    const deadline = Date.now() + 120_000;
    let name: string | undefined;
    while (name === undefined) {
      if (Date.now() > deadline) throw new Error('the third study never started');
      await sleep(100);
      name = [...system.workflow.executions.values()].find((e) => e.status === 'RUNNING' && e.statesEntered.includes('Run analyzers'))?.name;
    }
    system.workflow.abortExecution(name);
    const studyKey = [...system.workflow.executions.values()].find((e) => e.name === name)!.input;
    const key = JSON.parse(studyKey).studyKey as string;
    expect(name).toBe(executionName(key, 1));
    await system.settle(120_000);
    const meta = metaOf(await system.scanTable(), key);
    expect(meta).toMatchObject({ status: 'FAILED', failureReason: 'EXECUTION_ABORTED' });
    const failed = system.events.filter((e) => e.event['detail-type'] === 'Study Failed').map((e) => e.event.detail as Record<string, unknown>);
    expect(failed).toEqual([{ studyKey: key, version: 1, errorName: 'ABORTED', reasonCode: 'EXECUTION_ABORTED', schemaVersion: '1' }]);
  }, 300_000);
});
