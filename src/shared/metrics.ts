/**
 * Custom metric contract shared by the handlers (which emit them as CloudWatch
 * embedded metric format) and the operations constructs (dashboard, alarms), so
 * both sides agree on every name. Dimension values are fixed codes or analyzer
 * names chosen by the deployer, never anything read from an image (PHI).
 */

/** The one CloudWatch namespace every custom metric of the pipeline is in. */
export const METRICS_NAMESPACE = 'MedicalImagingPipeline';

/**
 * Every custom metric carries this dimension (Powertools' `service`): the name of
 * the pipeline deployment, so two pipelines in one account and region keep
 * their series apart. The functions get it as `POWERTOOLS_SERVICE_NAME`.
 */
export const SERVICE_DIMENSION = 'service';

/** Service dimension value of functions created outside a `MedicalImagingPipeline`. */
export const DEFAULT_METRICS_SERVICE = 'medical-imaging-pipeline';

/** The environment variable the service dimension value is read from (Powertools' own). */
export const METRICS_SERVICE_ENV = 'POWERTOOLS_SERVICE_NAME';

/** Custom metric names. */
export const MetricName = {
  IMAGES_INGESTED: 'ImagesIngested',
  /** Dimension REASON: a RejectionReason code. */
  IMAGES_REJECTED: 'ImagesRejected',
  STUDIES_COMPLETED: 'StudiesCompleted',
  STUDIES_FAILED: 'StudiesFailed',
  /** Milliseconds from a review being requested to the clinician's decision. */
  REVIEW_WAIT: 'ReviewWaitMs',
  /** Dimension ANALYZER: the analyzer's configured name. */
  ANALYZER_DURATION: 'AnalyzerDurationMs',
  /** Dimension ANALYZER: the analyzer's configured name. */
  ANALYZER_FAILURES: 'AnalyzerFailures',
  /** Milliseconds from the first upload of a study version to its first report (dashboard and alarm use p50/p95). */
  END_TO_END_LATENCY: 'EndToEndLatencyMs',
  /** Reviews whose deadline passed without a decision. */
  REVIEWS_OVERDUE: 'ReviewsOverdue',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** Dimension names; each value set is small and PHI-free. */
export const MetricDimension = {
  REASON: 'Reason',
  ANALYZER: 'Analyzer',
} as const;
export type MetricDimensionValue = (typeof MetricDimension)[keyof typeof MetricDimension];

/** Codes and deployer-chosen analyzer names only: short, no spaces, no carets (DICOM PN), no dates. */
const SAFE_DIMENSION_VALUE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** Value used in place of a dimension value that fails the check. */
export const UNSAFE_DIMENSION_VALUE = 'OTHER';

/** Returns the value when it is safe as a dimension, otherwise a fixed placeholder (the dashboard applies the same rule). */
export function safeDimensionValue(value: string): string {
  return SAFE_DIMENSION_VALUE.test(value) ? value : UNSAFE_DIMENSION_VALUE;
}

/** Unit each metric is emitted in (CloudWatch unit names). */
export const METRIC_UNITS: Readonly<Record<MetricNameValue, 'Count' | 'Milliseconds'>> = {
  ImagesIngested: 'Count',
  ImagesRejected: 'Count',
  StudiesCompleted: 'Count',
  StudiesFailed: 'Count',
  ReviewWaitMs: 'Milliseconds',
  AnalyzerDurationMs: 'Milliseconds',
  AnalyzerFailures: 'Count',
  EndToEndLatencyMs: 'Milliseconds',
  ReviewsOverdue: 'Count',
};
