import { createPipelineMetrics } from '../../../src/runtime/lambda/metrics';
import { recordAnalyzerOutcomes, recordPersistedVersion } from '../../../src/runtime/steps/workflow-metrics';
import { AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { MetricDimension, MetricName } from '../../../src/shared/metrics';
import { AnalyzerOutcome, PersistedReport } from '../../../src/shared/workflow';
import { captureEmf } from '../../support/emf';

const outcome = (analyzerName: string, status: AnalyzerStatus, durationMs: number): AnalyzerOutcome => ({
  analyzerName, modelId: 'm', modelVersion: '1', status, findingCount: 0, durationMs, imageCount: 1, failedImageCount: 0,
});
const persisted = (status: string, extra: Partial<PersistedReport> = {}): PersistedReport => ({
  reportVersion: 1, fhirKey: 'f', htmlKey: 'h', status, ...extra,
});

async function emitted(fn: (sink: ReturnType<typeof createPipelineMetrics>) => void) {
  const { metrics } = await captureEmf(() => {
    const sink = createPipelineMetrics();
    fn(sink);
    sink.flush();
  });
  return metrics;
}

describe('workflow metrics', () => {
  test('analyzer durations and failures by analyzer name; a skipped analyzer records nothing', async () => {
    const metrics = await emitted((sink) => recordAnalyzerOutcomes(sink, [
      outcome('quality', AnalyzerStatus.SUCCEEDED, 120),
      outcome('chest-xray', AnalyzerStatus.FAILED, 3000),
      outcome('ct-only', AnalyzerStatus.SKIPPED, 0),
    ]));
    expect(metrics.map((m) => [m.name, m.dimensions[MetricDimension.ANALYZER], m.value])).toEqual([
      [MetricName.ANALYZER_DURATION, 'quality', 120],
      [MetricName.ANALYZER_DURATION, 'chest-xray', 3000],
      [MetricName.ANALYZER_FAILURES, 'chest-xray', 1],
    ]);
  });

  test('a completed version counts once with its latency from the first upload of that version', async () => {
    const metrics = await emitted((sink) => recordPersistedVersion(sink, {
      version: 2,
      persisted: persisted('COMPLETED'),
      study: { firstUploadAt: '2026-01-01T10:00:00.000Z', firstUploadVersion: 2 },
      now: new Date('2026-01-01T10:00:42.500Z'),
    }));
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    expect(byName).toEqual({ [MetricName.STUDIES_COMPLETED]: 1, [MetricName.END_TO_END_LATENCY]: 42_500 });
  });

  test('no latency when the first-upload time belongs to another version (or is missing)', async () => {
    const metrics = await emitted((sink) => {
      recordPersistedVersion(sink, {
        version: 3, persisted: persisted('COMPLETED'), study: { firstUploadAt: '2026-01-01T10:00:00.000Z', firstUploadVersion: 2 }, now: new Date(),
      });
      recordPersistedVersion(sink, { version: 1, persisted: persisted('COMPLETED'), study: {}, now: new Date() });
    });
    expect(metrics.map((m) => m.name)).toEqual([MetricName.STUDIES_COMPLETED]);
    expect(metrics[0].value).toEqual([1, 1]);
  });

  test('at the deadline without a decision: a review overdue, not a completion', async () => {
    const metrics = await emitted((sink) => recordPersistedVersion(sink, {
      version: 1, reviewDecision: 'TIMED_OUT', persisted: persisted('IN_REVIEW'), now: new Date(),
    }));
    expect(metrics.map((m) => m.name)).toEqual([MetricName.REVIEWS_OVERDUE]);
  });

  test('a decision recorded before the deadline and applied at it completes the study, it is not overdue', async () => {
    const metrics = await emitted((sink) => recordPersistedVersion(sink, {
      version: 1, reviewDecision: 'TIMED_OUT', persisted: persisted('COMPLETED', { reviewDecision: 'APPROVED' }), now: new Date(),
    }));
    expect(metrics.map((m) => m.name)).toEqual([MetricName.STUDIES_COMPLETED]);
  });

  test('a report overtaken by a late decision records nothing (the decision counted it)', async () => {
    const metrics = await emitted((sink) => recordPersistedVersion(sink, {
      version: 1,
      reviewDecision: 'TIMED_OUT',
      persisted: persisted('COMPLETED', { overtaken: true }),
      study: { firstUploadAt: '2026-01-01T10:00:00.000Z', firstUploadVersion: 1 },
      now: new Date(),
    }));
    expect(metrics).toEqual([]);
  });
});
