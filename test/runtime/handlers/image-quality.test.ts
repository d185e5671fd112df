import { PutObjectCommand } from '@aws-sdk/client-s3';
import { handleImageQuality } from '../../../src/runtime/handlers/analyzers/image-quality.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { ANALYZER_CONTRACT_VERSION, AnalyzerInvocation, ImageReference, StudyContext } from '../../../src/shared/analyzer-result';
import { makePng } from '../../fixtures/images';
import { LocalEngines, startLocalEngines } from '../../support/local-engines';

const silent: SafeLog = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
let engines: LocalEngines;
beforeAll(async () => { engines = await startLocalEngines(); });
afterAll(async () => engines.stop());

async function image(name: string, png: Buffer) {
  const key = `studies/q/s/${name}/analysis.png`;
  await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.derived, Key: key, Body: png }));
  return { imageRef: `s/${name}`, bucket: engines.buckets.derived, previewKey: key, analysisKey: key, width: 32, height: 32 };
}

function invocationOf(images: ImageReference[]): AnalyzerInvocation {
  const study: StudyContext = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    studyKey: 'q',
    version: 1,
    imageCount: 40,
    seriesCount: 1,
    modalities: ['OT'],
    bodyParts: [],
    sourceKinds: ['PNG'],
    requiresReview: false,
    manifest: { bucket: engines.buckets.derived, key: 'studies/q/v0001/manifest.json' },
  };
  return { schemaVersion: ANALYZER_CONTRACT_VERSION, analyzerName: 'quality-check', study, batch: { index: 3, count: 20, images } };
}

test("reads each analysis PNG of the batch and returns the batch's image-quality findings as an AnalyzerResult", async () => {
  const invocation = invocationOf([
    await image('dark', makePng(32, 32, (x, y) => ((x + y) % 2) * 20)),
    await image('good', makePng(32, 32, (x, y) => (x * 8 + y * 4) % 256)),
  ]);
  let tick = 1000;
  const result = await handleImageQuality({ s3: engines.s3, log: silent, clock: () => (tick += 7) })(invocation);
  expect(result).toMatchObject({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality-check',
    modelId: 'image-quality',
    modelVersion: '1',
    status: 'SUCCEEDED',
    durationMs: 7,
    imageCount: 2,
  });
  expect(result.findings.length).toBeGreaterThan(0);
  expect(result.findings.every((f) => f.imageRef === 's/dark')).toBe(true);
  expect(result.findings.map((f) => f.code)).toContain('IQ-UNDEREXPOSED');
});

test('a missing image fails the batch at once (FAILED, IMAGE_MISSING): asking again would not bring it back', async () => {
  const invocation = invocationOf([
    await image('good', makePng(32, 32, (x, y) => (x * 8 + y * 4) % 256)),
    { imageRef: 's/x', bucket: engines.buckets.derived, previewKey: 'nope', analysisKey: 'nope', width: 1, height: 1 },
  ]);
  const result = await handleImageQuality({ s3: engines.s3, log: silent })(invocation);
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'IMAGE_MISSING', findings: [], imageCount: 2 });
});

test('an analysis image that is not an 8-bit PNG is an error of the pipeline, not of the study', async () => {
  const key = 'studies/q/s/deep/analysis.png';
  await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.derived, Key: key, Body: makePng(8, 8, () => 1000, { bitDepth: 16 }) }));
  const invocation = invocationOf([{ imageRef: 's/deep', bucket: engines.buckets.derived, previewKey: key, analysisKey: key, width: 8, height: 8 }]);
  await expect(handleImageQuality({ s3: engines.s3, log: silent })(invocation)).rejects.toMatchObject({ name: 'UnexpectedImageError' });
});
