/**
 * Turns workflow outcomes into custom metrics: analyzer durations and failures
 * by analyzer name, studies completed and failed, reviews overdue, and the
 * end-to-end latency from a version's first upload to its first report.
 */
import { AnalyzerStatus } from '../../shared/analyzer-result';
import { MetricDimension, MetricName } from '../../shared/metrics';
import { StudyStatus } from '../../shared/records';
import { AnalyzerOutcome, PersistedReport } from '../../shared/workflow';
import type { PipelineMetrics } from '../lambda/metrics';
import type { StudyMeta } from '../storage/studies';

/** One duration per analyzer that ran (skipped ones did not), and a failure for each that failed. */
export function recordAnalyzerOutcomes(metrics: PipelineMetrics, outcomes: readonly AnalyzerOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.status === AnalyzerStatus.SKIPPED) continue;
    const analyzer = { name: MetricDimension.ANALYZER, value: outcome.analyzerName };
    metrics.record(MetricName.ANALYZER_DURATION, outcome.durationMs, analyzer);
    if (outcome.status === AnalyzerStatus.FAILED) metrics.record(MetricName.ANALYZER_FAILURES, 1, analyzer);
  }
}

export interface PersistedVersion {
  readonly version: number;
  /** The decision the workflow carried into "Persist results" (`TIMED_OUT` at the deadline). */
  readonly reviewDecision?: string;
  readonly persisted: PersistedReport;
  /** The study after persisting (for the first-upload time). */
  readonly study?: Pick<StudyMeta, 'firstUploadAt' | 'firstUploadVersion'>;
  readonly now: Date;
}

/** The workflow's report of a version: completed or overdue, and how long after the first upload it came. */
export function recordPersistedVersion(metrics: PipelineMetrics, input: PersistedVersion): void {
  const { persisted, study } = input;
  // A late decision's revision overtook this report: that request counted the outcome.
  if (persisted.overtaken === true) return;
  if (persisted.status === StudyStatus.COMPLETED) metrics.record(MetricName.STUDIES_COMPLETED, 1);
  if (input.reviewDecision === 'TIMED_OUT' && persisted.reviewDecision === undefined) metrics.record(MetricName.REVIEWS_OVERDUE, 1);
  if (study?.firstUploadAt !== undefined && study.firstUploadVersion === input.version) {
    metrics.record(MetricName.END_TO_END_LATENCY, input.now.getTime() - Date.parse(study.firstUploadAt));
  }
}
