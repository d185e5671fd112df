import { series } from './fixtures';
import { toBatches } from '../../../src/core/analysis/batches';
import { BatchRecord, studyResult } from '../../../src/core/analysis/study-result';
import { AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';

function batch(index: number, status: AnalyzerStatus, findings: number, extra: Partial<AnalyzerResult> = {}): BatchRecord {
  return {
    index,
    imageCount: 2,
    result: {
      schemaVersion: '2.0',
      analyzerName: 'cxr',
      modelId: 'acme.cxr',
      modelVersion: '3',
      status,
      findings: Array.from({ length: findings }, (_, i) => ({ label: `f${index}.${i}`, confidence: 0.5, imageRef: `s/${index}` })),
      durationMs: 10,
      ...extra,
    },
  };
}
const input = { analyzerName: 'cxr', modelId: 'fallback', modelVersion: '0', batchCount: 3, imagesPerBatch: [2, 2, 1] };

test('every batch succeeded: SUCCEEDED with all findings, durations and images added up', () => {
  const records = [batch(0, AnalyzerStatus.SUCCEEDED, 1), batch(1, AnalyzerStatus.SUCCEEDED, 2), batch(2, AnalyzerStatus.SUCCEEDED, 0)];
  const result = studyResult({ ...input, records });
  expect(result).toMatchObject({ status: 'SUCCEEDED', modelId: 'acme.cxr', durationMs: 30, imageCount: 6, failedImageCount: 0 });
  expect(result.findings.map((f) => f.label)).toEqual(['f0.0', 'f1.0', 'f1.1']);
  expect(result.errorCode).toBeUndefined();
});

test('a failed batch fails the study result with its code and keeps the other batches\' findings', () => {
  const records = [batch(0, AnalyzerStatus.SUCCEEDED, 1), batch(1, AnalyzerStatus.FAILED, 0, { errorCode: 'THROTTLED' }), batch(2, AnalyzerStatus.SUCCEEDED, 1)];
  const result = studyResult({ ...input, records });
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'THROTTLED', failedImageCount: 2, imageCount: 6 });
  expect(result.findings).toHaveLength(2);
});

test('a batch that left no record counts as FAILED BATCH_INCOMPLETE with its planned size', () => {
  const result = studyResult({ ...input, records: [batch(0, AnalyzerStatus.SUCCEEDED, 1), batch(1, AnalyzerStatus.SUCCEEDED, 1), undefined] });
  expect(result).toMatchObject({ status: 'FAILED', errorCode: 'BATCH_INCOMPLETE', failedImageCount: 1, imageCount: 5 });
});

test('nothing answered: the model comes from the binding', () => {
  expect(studyResult({ ...input, records: [] })).toMatchObject({ status: 'FAILED', modelId: 'fallback', modelVersion: '0' });
});

test('every batch skipped: SKIPPED with the reason; token usage adds up', () => {
  const skipped = (i: number) => batch(i, AnalyzerStatus.SKIPPED, 0, { skipReason: 'NOT_A_CHEST', tokenUsage: { inputTokens: 100, outputTokens: 5 } });
  const result = studyResult({ ...input, batchCount: 2, records: [skipped(0), skipped(1)] });
  expect(result).toMatchObject({ status: 'SKIPPED', skipReason: 'NOT_A_CHEST', tokenUsage: { inputTokens: 200, outputTokens: 10 } });
});

test('batches: consecutive, at most batchSize images, numbered with their count', () => {
  const batches = toBatches(series('s', 7), 3);
  expect(batches.map((b) => [b.index, b.count, b.images.length])).toEqual([[0, 3, 3], [1, 3, 3], [2, 3, 1]]);
  expect(toBatches([], 3)).toEqual([]);
  for (const size of [0, 101, 2.5]) expect(() => toBatches(series('s', 1), size)).toThrow(/batchSize must be a whole number from 1 to 100/);
});
