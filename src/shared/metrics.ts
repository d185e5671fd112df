/**
 * Custom metric contract shared by the handlers (which emit them as CloudWatch
 * embedded metric format) and the operations constructs (dashboard, alarms), so
 * both sides agree on every name. Dimension values are fixed codes or analyzer
 * names chosen by the deployer, never anything read from an image (PHI).
 */

/** The one CloudWatch namespace every custom metric of the pipeline is in. */
export const METRICS_NAMESPACE = 'MedicalImagingPipeline';

/** Custom metric names. */
export const MetricName = {
  IMAGES_INGESTED: 'ImagesIngested',
  /** Dimension REASON: a RejectionReason code. */
  IMAGES_REJECTED: 'ImagesRejected',
  STUDIES_COMPLETED: 'StudiesCompleted',
  STUDIES_FAILED: 'StudiesFailed',
  /** Milliseconds a held study waited for a clinician's decision. */
  REVIEW_WAIT: 'ReviewWaitMs',
  /** Dimension ANALYZER: the analyzer's configured name. */
  ANALYZER_DURATION: 'AnalyzerDurationMs',
  /** Dimension ANALYZER: the analyzer's configured name. */
  ANALYZER_FAILURES: 'AnalyzerFailures',
  /** Milliseconds from the first upload of a study to its report. */
  END_TO_END_LATENCY: 'EndToEndLatencyMs',
  REVIEWS_OVERDUE: 'ReviewsOverdue',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** Dimension names; each value set is small and PHI-free. */
export const MetricDimension = {
  REASON: 'Reason',
  ANALYZER: 'Analyzer',
} as const;
export type MetricDimensionValue = (typeof MetricDimension)[keyof typeof MetricDimension];

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
