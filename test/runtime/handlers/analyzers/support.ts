/**
 * What the AI-service analyzer handler tests share: real S3 (s3rver) holding
 * the derived images, invocations shaped like the workflow's, and a log that
 * records every line so tests can prove no service message reaches it.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { validateAnalyzerResult } from '../../../../src/core/analysis/result-validation';
import { SafeLog } from '../../../../src/runtime/lambda/logger';
import { ANALYZER_CONTRACT_VERSION, AnalyzerInvocation, AnalyzerResult, ImageReference } from '../../../../src/shared/analyzer-result';
import { makePng } from '../../../fixtures/images';
import { LocalEngines, startLocalEngines } from '../../../support/local-engines';

/**
 * Local engines (s3rver, dynalite) for the whole test file: started before its
 * first test, stopped after its last; the object is filled in by then.
 */
export function suiteEngines(setup?: (engines: LocalEngines) => Promise<void>): LocalEngines {
  const engines = {} as LocalEngines;
  beforeAll(async () => {
    Object.assign(engines, await startLocalEngines());
    await setup?.(engines);
  });
  afterAll(async () => engines.stop());
  return engines;
}

export interface RecordingLog extends SafeLog {
  readonly lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}

export function recordingLog(): RecordingLog {
  const lines: RecordingLog['lines'] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => { lines.push({ level, message, fields }); };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A gray gradient PNG: what ingest writes as the analysis image. */
export function analysisPng(width = 200, height = 150): Buffer {
  return makePng(width, height, (x, y) => (x * 3 + y * 2) % 256);
}

/** A valid PNG padded after its IEND chunk to `bytes` (a noise PNG that size takes seconds to encode). */
export function bulkyPng(bytes: number): Buffer {
  const png = analysisPng();
  return Buffer.concat([png, Buffer.alloc(Math.max(0, bytes - png.length))]);
}

let counter = 0;

/** Stores `body` as a study's derived object and returns its reference. */
export async function storeImage(engines: LocalEngines, body: Uint8Array, extra: Partial<ImageReference> = {}): Promise<ImageReference> {
  counter += 1;
  const base = `studies/st-${counter}/se-1/in-${counter}`;
  await engines.s3.send(new PutObjectCommand({ Bucket: engines.buckets.derived, Key: `${base}/analysis.png`, Body: body }));
  return {
    imageRef: `se-1/in-${counter}`,
    bucket: engines.buckets.derived,
    previewKey: `${base}/preview.png`,
    analysisKey: `${base}/analysis.png`,
    width: 200,
    height: 150,
    modality: 'DX',
    bodyPart: 'CHEST',
    ...extra,
  };
}

/** A reference to an object that was never written. */
export function missingImage(engines: LocalEngines): ImageReference {
  return { imageRef: 'se-1/gone', bucket: engines.buckets.derived, previewKey: 'studies/gone/p.png', analysisKey: 'studies/gone/a.png', width: 1, height: 1 };
}

export function invocation(analyzerName: string, images: ImageReference[]): AnalyzerInvocation {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName,
    study: {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey: 'st-pseudonym',
      version: 1,
      imageCount: images.length,
      seriesCount: 1,
      modalities: ['DX'],
      bodyParts: ['CHEST'],
      sourceKinds: ['DICOM'],
      requiresReview: false,
      manifest: { bucket: 'derived-bucket', key: 'studies/st-pseudonym/v1/manifest.json' },
    },
    batch: { index: 0, count: 1, images },
  };
}

/** The Lambda context the handlers read their deadline from. */
export const lambdaContext = (remainingMs = 30_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** The result passes the workflow's own check (the record-batch step would store it as is). */
export function expectValidResult(result: AnalyzerResult, inv: AnalyzerInvocation): void {
  const checked = validateAnalyzerResult(result, { analyzerName: inv.analyzerName, imageRefs: new Set(inv.batch.images.map((i) => i.imageRef)) });
  expect(checked).toMatchObject({ valid: true });
}

/** Neither the result nor any log line carries this text (a service's error message, say). */
export function expectNowhere(text: string, result: unknown, log: RecordingLog): void {
  expect(JSON.stringify(result)).not.toContain(text);
  expect(JSON.stringify(log.lines)).not.toContain(text);
}
