import { aggregateFindings, DEFAULT_AUTO_RELEASE_THRESHOLD } from '../../../src/core/findings';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';

function result(analyzerName: string, status: AnalyzerStatus, confidences: number[] = []): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName,
    modelId: 'm',
    modelVersion: '1',
    status,
    durationMs: 5,
    findings: confidences.map((confidence, i) => ({ label: `finding ${i}`, confidence, imageRef: 's/i' })),
  };
}

describe('aggregateFindings', () => {
  test('counts findings, max confidence and analyzer outcomes', () => {
    const summary = aggregateFindings([
      result('a', AnalyzerStatus.SUCCEEDED, [0.9, 0.95]),
      result('b', AnalyzerStatus.SUCCEEDED, [0.85]),
      result('c', AnalyzerStatus.SKIPPED),
    ]);
    expect(summary).toEqual({
      findingCount: 3,
      maxConfidence: 0.95,
      reviewRequired: false,
      succeeded: ['a', 'b'],
      failed: [],
      skipped: ['c'],
    });
  });

  test('the default threshold is 0.8 and a finding below it requires review', () => {
    expect(DEFAULT_AUTO_RELEASE_THRESHOLD).toBe(0.8);
    expect(aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [0.8])]).reviewRequired).toBe(false);
    expect(aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [0.79, 0.99])]).reviewRequired).toBe(true);
  });

  test('a study flagged at ingest (burned-in annotation) requires review even with confident findings', () => {
    const confident = [result('a', AnalyzerStatus.SUCCEEDED, [0.99])];
    expect(aggregateFindings(confident, 0.8, false).reviewRequired).toBe(false);
    expect(aggregateFindings(confident, 0.8, true).reviewRequired).toBe(true);
  });

  test('a custom threshold applies', () => {
    expect(aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [0.6])], 0.5).reviewRequired).toBe(false);
    expect(aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [0.6])], 0.7).reviewRequired).toBe(true);
  });

  test('any FAILED analyzer requires review', () => {
    const summary = aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [0.99]), result('b', AnalyzerStatus.FAILED)]);
    expect(summary.reviewRequired).toBe(true);
    expect(summary.failed).toEqual(['b']);
  });

  test('no findings from a successful analyzer auto-releases with max confidence 0', () => {
    expect(aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED)])).toMatchObject({ findingCount: 0, maxConfidence: 0, reviewRequired: false });
  });

  test('when no analyzer succeeded, review is required', () => {
    expect(aggregateFindings([result('a', AnalyzerStatus.SKIPPED)]).reviewRequired).toBe(true);
    expect(aggregateFindings([]).reviewRequired).toBe(true);
  });

  test('an unusable confidence requires review and is left out of the maximum', () => {
    const summary = aggregateFindings([result('a', AnalyzerStatus.SUCCEEDED, [Number.NaN, 0.9])]);
    expect(summary).toMatchObject({ reviewRequired: true, maxConfidence: 0.9, findingCount: 2 });
  });

  test('rejects a threshold outside 0..1', () => {
    expect(() => aggregateFindings([], 1.5)).toThrow(RangeError);
    expect(() => aggregateFindings([], Number.NaN)).toThrow(RangeError);
  });
});
