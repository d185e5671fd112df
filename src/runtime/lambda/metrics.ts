/**
 * Custom metrics as CloudWatch embedded metric format (Powertools Metrics).
 * Handlers and steps record through `PipelineMetrics`; names, units and the
 * namespace come from src/shared/metrics so the dashboard and alarms agree.
 * Dimension values are checked against a code-like pattern so a tag value or
 * free text (possible PHI) can never become a dimension.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DEFAULT_METRICS_SERVICE,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  METRICS_SERVICE_ENV,
  MetricDimensionValue,
  MetricNameValue,
  safeDimensionValue,
} from '../../shared/metrics';

export { safeDimensionValue, UNSAFE_DIMENSION_VALUE } from '../../shared/metrics';

/** The small metrics surface handlers and steps depend on (easy to fake in tests). */
export interface PipelineMetrics {
  /** Records one value of a metric, optionally under one dimension. */
  record(name: MetricNameValue, value: number, dimension?: { name: MetricDimensionValue; value: string }): void;
  /** Writes the stored (undimensioned) metrics; call once at the end of an invocation. */
  flush(): void;
}

const UNITS: Record<'Count' | 'Milliseconds', (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
};

/** The pipeline deployment's name, the `service` dimension of every metric (set by the constructs). */
export function metricsServiceName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[METRICS_SERVICE_ENV];
  return name !== undefined && name !== '' ? name : DEFAULT_METRICS_SERVICE;
}

/**
 * Wraps a Powertools Metrics instance; dimensioned values are written at once as their own EMF line.
 * Every metric's `service` dimension is the pipeline's name, never the handler's, so a metric
 * several handlers emit (StudiesFailed) is one series the alarms can name.
 */
export function createPipelineMetrics(
  metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: metricsServiceName() }),
): PipelineMetrics {
  let stored = 0;
  return {
    record(name, value, dimension) {
      if (!Number.isFinite(value) || value < 0) {
        return;
      }
      const unit = UNITS[METRIC_UNITS[name]];
      if (dimension === undefined) {
        metrics.addMetric(name, unit, value);
        stored += 1;
        return;
      }
      const single = metrics.singleMetric();
      single.addDimension(dimension.name, safeDimensionValue(dimension.value));
      single.addMetric(name, unit, value);
    },
    flush() {
      if (stored > 0) {
        metrics.publishStoredMetrics();
        stored = 0;
      }
    },
  };
}

/** Runs one invocation's work and writes its stored metrics (if any sink) however it ends. */
export async function flushingMetrics<T>(metrics: PipelineMetrics | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    metrics?.flush();
  }
}
