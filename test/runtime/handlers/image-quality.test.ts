import { PutObjectCommand } from '@aws-sdk/client-s3';
import { handleImageQuality } from '../../../src/runtime/handlers/analyzers/image-quality.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { ANALYZER_CONTRACT_VERSION, AnalyzerInvocation } from '../../../src/shared/analyzer-result';
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

test('reads each analysis PNG and returns image-quality findings as an AnalyzerResult', async () => {
  const invocation: AnalyzerInvocation = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality-check',
    study: {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey: 'q',
      version: 1,
      images: [
        await image('dark', makePng(32, 32, (x, y) => ((x + y) % 2) * 20)),
        await image('good', makePng(32, 32, (x, y) => (x * 8 + y * 4) % 256)),
      ],
    },
  };
  let tick = 1000;
  const result = await handleImageQuality({ s3: engines.s3, log: silent, clock: () => (tick += 7) })(invocation);
  expect(result).toMatchObject({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality-check',
    modelId: 'image-quality',
    modelVersion: '1',
    status: 'SUCCEEDED',
    durationMs: 7,
  });
  expect(result.findings.length).toBeGreaterThan(0);
  expect(result.findings.every((f) => f.imageRef === 's/dark')).toBe(true);
  expect(result.findings.map((f) => f.code)).toContain('IQ-UNDEREXPOSED');
});

test('a missing image is an error (the workflow retries or catches it)', async () => {
  const invocation: AnalyzerInvocation = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality-check',
    study: {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey: 'q',
      version: 1,
      images: [{ imageRef: 's/x', bucket: engines.buckets.derived, previewKey: 'nope', analysisKey: 'nope', width: 1, height: 1 }],
    },
  };
  await expect(handleImageQuality({ s3: engines.s3, log: silent })(invocation)).rejects.toMatchObject({ name: 'UnexpectedImageError', message: 'Analysis image is missing' });
});
