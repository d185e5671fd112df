import { createPipelineMetrics, flushingMetrics, metricsServiceName, safeDimensionValue, UNSAFE_DIMENSION_VALUE } from '../../../src/runtime/lambda/metrics';
import { DEFAULT_METRICS_SERVICE, MetricDimension, MetricName, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../../src/shared/metrics';
import { captureEmf, emfMetrics, parseEmfLine } from '../../support/emf';

describe('pipeline metrics (EMF)', () => {
  test('undimensioned values are written on flush in the pipeline namespace with their units', async () => {
    const { metrics } = await captureEmf(() => {
      const sink = createPipelineMetrics();
      sink.record(MetricName.IMAGES_INGESTED, 3);
      sink.record(MetricName.END_TO_END_LATENCY, 1250);
      sink.flush();
    });
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName[MetricName.IMAGES_INGESTED]).toMatchObject({ namespace: METRICS_NAMESPACE, unit: 'Count', value: 3 });
    expect(byName[MetricName.END_TO_END_LATENCY]).toMatchObject({ namespace: METRICS_NAMESPACE, unit: 'Milliseconds', value: 1250 });
  });

  test('a dimensioned value is its own EMF line carrying the dimension', async () => {
    const { metrics } = await captureEmf(() => {
      const sink = createPipelineMetrics();
      sink.record(MetricName.IMAGES_REJECTED, 1, { name: MetricDimension.REASON, value: 'TRUNCATED_DICOM' });
      sink.record(MetricName.ANALYZER_DURATION, 420, { name: MetricDimension.ANALYZER, value: 'quality' });
    });
    expect(metrics.map((m) => [m.name, m.dimensions.Reason ?? m.dimensions.Analyzer])).toEqual([
      [MetricName.IMAGES_REJECTED, 'TRUNCATED_DICOM'],
      [MetricName.ANALYZER_DURATION, 'quality'],
    ]);
  });

  test('a value that could carry PHI never becomes a dimension', async () => {
    expect(safeDimensionValue('DOE^JANE')).toBe(UNSAFE_DIMENSION_VALUE);
    expect(safeDimensionValue('1.2.840.113619.2.55')).toBe(UNSAFE_DIMENSION_VALUE);
    expect(safeDimensionValue('John Smith')).toBe(UNSAFE_DIMENSION_VALUE);
    const { text } = await captureEmf(() => {
      createPipelineMetrics().record(MetricName.ANALYZER_FAILURES, 1, { name: MetricDimension.ANALYZER, value: 'DOE^JANE' });
    });
    expect(text).not.toContain('DOE');
    expect(emfMetrics(text)[0].dimensions.Analyzer).toBe(UNSAFE_DIMENSION_VALUE);
  });

  test('flush without values writes nothing; negative or non-finite values are dropped', async () => {
    const { metrics } = await captureEmf(() => {
      const sink = createPipelineMetrics();
      sink.record(MetricName.REVIEW_WAIT, -5);
      sink.record(MetricName.REVIEW_WAIT, Number.NaN);
      sink.flush();
    });
    expect(metrics).toEqual([]);
  });

  test('every metric carries the pipeline name as its service dimension, read from POWERTOOLS_SERVICE_NAME', async () => {
    expect(metricsServiceName({})).toBe(DEFAULT_METRICS_SERVICE);
    expect(metricsServiceName({ POWERTOOLS_SERVICE_NAME: '' })).toBe(DEFAULT_METRICS_SERVICE);
    const before = process.env.POWERTOOLS_SERVICE_NAME;
    process.env.POWERTOOLS_SERVICE_NAME = 'radiology-prod';
    try {
      const { metrics } = await captureEmf(() => {
        const sink = createPipelineMetrics();
        sink.record(MetricName.STUDIES_FAILED, 1);
        sink.record(MetricName.ANALYZER_FAILURES, 1, { name: MetricDimension.ANALYZER, value: 'quality' });
        sink.flush();
      });
      expect(metrics.map((m) => [m.name, m.dimensions])).toEqual(expect.arrayContaining([
        [MetricName.STUDIES_FAILED, { [SERVICE_DIMENSION]: 'radiology-prod' }],
        [MetricName.ANALYZER_FAILURES, { [SERVICE_DIMENSION]: 'radiology-prod', [MetricDimension.ANALYZER]: 'quality' }],
      ]));
    } finally {
      if (before === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
      else process.env.POWERTOOLS_SERVICE_NAME = before;
    }
  });

  test('flushingMetrics writes the stored values when the work throws too', async () => {
    const { metrics } = await captureEmf(async () => {
      const sink = createPipelineMetrics();
      await expect(flushingMetrics(sink, async () => {
        sink.record(MetricName.STUDIES_COMPLETED, 1);
        throw new Error('boom');
      })).rejects.toThrow('boom');
    });
    expect(metrics.map((m) => m.name)).toEqual([MetricName.STUDIES_COMPLETED]);
  });

  test('non-EMF stdout lines are ignored by the parser', () => {
    expect(parseEmfLine('{"level":"INFO","message":"hello"}')).toEqual([]);
    expect(parseEmfLine('not json')).toEqual([]);
  });
});
