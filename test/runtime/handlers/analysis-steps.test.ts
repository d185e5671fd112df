/** The analyzer plumbing of the workflow (plan, record, collect) against a real local S3 engine. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { handleCollectAnalysis } from '../../../src/runtime/handlers/workflow/collect-analysis.lambda';
import { handlePlanAnalysis } from '../../../src/runtime/handlers/workflow/plan-analysis.lambda';
import { handleRecordBatch } from '../../../src/runtime/handlers/workflow/record-batch.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { putJson } from '../../../src/runtime/storage/objects';
import { ImageSelectionStrategy, INLINE_MAP_MAX_IMAGES } from '../../../src/shared/analysis-plan';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, ImageBatch, StudyContext } from '../../../src/shared/analyzer-result';
import { manifestKey } from '../../../src/shared/records';
import { AnalysisPlan } from '../../../src/shared/workflow';
import { series } from '../../core/analysis/fixtures';
import { LocalEngines, startLocalEngines } from '../../support/local-engines';

const log: SafeLog = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
let engines: LocalEngines;
beforeAll(async () => { engines = await startLocalEngines(); });
afterAll(async () => engines.stop());

let counter = 0;
async function studyWith(imageCount: number, modality = 'CT'): Promise<StudyContext> {
  const studyKey = `plan${++counter}`;
  const manifest = { bucket: engines.buckets.derived, key: manifestKey(studyKey, 1) };
  await putJson(engines.s3, manifest, series('s', imageCount, { modality }));
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    studyKey,
    version: 1,
    imageCount,
    seriesCount: 1,
    modalities: [modality],
    bodyParts: [],
    sourceKinds: ['DICOM'],
    requiresReview: false,
    manifest,
  };
}
async function readJson(key: string): Promise<unknown> {
  return JSON.parse(await (await engines.s3.send(new GetObjectCommand({ Bucket: engines.buckets.derived, Key: key }))).Body!.transformToString());
}
const plan = () => handlePlanAnalysis({ s3: engines.s3, log });
const record = () => handleRecordBatch({ s3: engines.s3, derivedBucket: engines.buckets.derived, log });
const collect = () => handleCollectAnalysis({ s3: engines.s3, derivedBucket: engines.buckets.derived, log });
const all = { strategy: ImageSelectionStrategy.ALL };

describe('plan', () => {
  test(`up to ${INLINE_MAP_MAX_IMAGES} selected images run inline, the batches in the state and in S3`, async () => {
    const study = await studyWith(INLINE_MAP_MAX_IMAGES);
    const planned = await plan()({ analyzerName: 'qc', study, selection: all, batchSize: 25 });
    const prefix = `studies/${study.studyKey}/v0001/analyses/qc/`;
    expect(planned).toMatchObject({
      applies: true,
      imageCount: 40,
      batchCount: 2,
      mode: 'INLINE',
      resultsPrefix: prefix,
      batchesObject: { bucket: engines.buckets.derived, key: `${prefix}batches.json` },
    });
    expect(planned.batches.map((b) => b.images.length)).toEqual([25, 15]);
    expect(await readJson(`${prefix}batches.json`)).toEqual(planned.batches);
  });

  test('one more image and the batches stay out of the state: a Distributed Map reads them from S3', async () => {
    const study = await studyWith(INLINE_MAP_MAX_IMAGES + 1);
    const planned = await plan()({ analyzerName: 'qc', study, selection: all, batchSize: 25 });
    expect(planned).toMatchObject({ mode: 'DISTRIBUTED', batchCount: 2, batches: [] });
    expect(JSON.stringify(planned).length).toBeLessThan(1000);
    expect((await readJson(planned.batchesObject.key) as ImageBatch[]).map((b) => b.images.length)).toEqual([25, 16]);
  });

  test('a 3,000-image CT with a representative selection is one batch of one image', async () => {
    const study = await studyWith(3000);
    const planned = await plan()({ analyzerName: 'cxr', study, selection: { strategy: ImageSelectionStrategy.REPRESENTATIVE }, batchSize: 1 });
    expect(planned).toMatchObject({ mode: 'INLINE', imageCount: 1, batchCount: 1 });
    expect(planned.batches[0].images[0].imageRef).toBe('s/i1500');
  });

  test('an analyzer whose rule matches no image is skipped with the reason, and writes no batches', async () => {
    const study = await studyWith(3, 'CT');
    const planned = await plan()({ analyzerName: 'cxr', study, selection: all, batchSize: 1, applicability: { modalities: ['DX', 'CR'] } });
    expect(planned).toMatchObject({ applies: false, skipReason: 'MODALITY_NOT_APPLICABLE', batchCount: 0, batches: [] });
    await expect(readJson(planned.batchesObject.key)).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  test('a missing manifest or a malformed request fails the step', async () => {
    const study = await studyWith(1);
    await expect(plan()({ analyzerName: 'qc', study: { ...study, manifest: { ...study.manifest, key: 'studies/none.json' } }, selection: all, batchSize: 1 }))
      .rejects.toMatchObject({ name: 'StudyStateError' });
    await expect(plan()({ analyzerName: '', study, selection: all, batchSize: 1 })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('record and collect', () => {
  async function planned(imageCount: number, batchSize: number): Promise<{ study: StudyContext; plan: AnalysisPlan; batches: ImageBatch[] }> {
    const study = await studyWith(imageCount);
    const p = await plan()({ analyzerName: 'cxr', study, selection: all, batchSize });
    return { study, plan: p, batches: await readJson(p.batchesObject.key) as ImageBatch[] };
  }
  const result = (batch: ImageBatch, extra: Partial<AnalyzerResult> = {}): AnalyzerResult => ({
    schemaVersion: '2.0',
    analyzerName: 'cxr',
    modelId: 'acme.cxr',
    modelVersion: '3',
    status: 'SUCCEEDED' as never,
    durationMs: 5,
    findings: batch.images.map((image) => ({ label: 'Nodule', confidence: 0.7, imageRef: image.imageRef })),
    ...extra,
  });

  test('each batch outcome is stored (valid result, invalid result, caught failure) and collected into one study result', async () => {
    const { study, plan: p, batches } = await planned(5, 2);
    const base = (batch: ImageBatch) => ({ analyzerName: 'cxr', study, batch, resultsPrefix: p.resultsPrefix });
    expect(await record()({ ...base(batches[0]), result: result(batches[0]) })).toEqual({ index: 0, status: 'SUCCEEDED', findingCount: 2 });
    // A confidence sent as a string is not aggregated or reported: the batch is FAILED INVALID_RESULT.
    const bad = { ...result(batches[1]), findings: [{ label: 'Nodule', confidence: '0.7', imageRef: batches[1].images[0].imageRef }] };
    expect(await record()({ ...base(batches[1]), result: bad })).toEqual({ index: 1, status: 'FAILED', findingCount: 0, errorCode: 'INVALID_RESULT' });
    expect(await record()({ ...base(batches[2]), failure: { Error: 'States.Timeout' } })).toEqual({ index: 2, status: 'FAILED', findingCount: 0, errorCode: 'TIMEOUT' });

    const outcome = await collect()({ analyzerName: 'cxr', modelId: 'fallback', modelVersion: '0', study, plan: p });
    expect(outcome).toEqual({
      analyzerName: 'cxr',
      modelId: 'acme.cxr',
      modelVersion: '3',
      status: 'FAILED',
      errorCode: 'INVALID_RESULT',
      findingCount: 2,
      durationMs: 5,
      imageCount: 5,
      failedImageCount: 3,
      result: { bucket: engines.buckets.derived, key: `${p.resultsPrefix}result.json` },
    });
    const stored = await readJson(outcome.result!.key) as AnalyzerResult;
    expect(stored.findings.map((f) => f.imageRef)).toEqual(batches[0].images.map((i) => i.imageRef));
  });

  test.each([
    ['AnalyzerThrottledError', 'THROTTLED'],
    ['Lambda.TooManyRequestsException', 'THROTTLED'],
    ['AnalyzerUnavailableError', 'SERVICE_UNAVAILABLE'],
    ['Sandbox.Timedout', 'TIMEOUT'],
    ['States.DataLimitExceeded', 'RESULT_TOO_LARGE'],
    ['MyModelCrashed', 'ANALYZER_ERROR'],
  ])('a batch caught failing with %s is recorded %s', async (error, code) => {
    const { study, plan: p, batches } = await planned(1, 1);
    expect(await record()({ analyzerName: 'cxr', study, batch: batches[0], resultsPrefix: p.resultsPrefix, failure: { Error: error } }))
      .toMatchObject({ status: 'FAILED', errorCode: code });
  });

  test('a batch without a record (its child execution ended outside the catch) is BATCH_INCOMPLETE', async () => {
    const { study, plan: p, batches } = await planned(3, 2);
    await record()({ analyzerName: 'cxr', study, batch: batches[0], resultsPrefix: p.resultsPrefix, result: result(batches[0]) });
    const outcome = await collect()({ analyzerName: 'cxr', modelId: 'fallback', modelVersion: '0', study, plan: p });
    expect(outcome).toMatchObject({ status: 'FAILED', errorCode: 'BATCH_INCOMPLETE', imageCount: 3, failedImageCount: 1, findingCount: 2 });
  });

  test('record refuses a malformed request', async () => {
    await expect(record()({ analyzerName: 'cxr' } as never)).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});
