/** Turns the analyzers' results into the summary the review policy acts on. */
import { AnalyzerResult, AnalyzerStatus } from '../../shared/analyzer-result';
import { AggregateSummary } from '../../shared/workflow';

/**
 * Findings with a confidence below this go to a clinician before release.
 * 0.8 by default: a conservative starting point; tune per analyzer and site.
 */
export const DEFAULT_AUTO_RELEASE_THRESHOLD = 0.8;

/**
 * Counts findings and analyzer outcomes. Review is required when any finding is
 * below `autoReleaseThreshold` (or has no usable confidence), when any analyzer
 * FAILED, or when no analyzer SUCCEEDED (nothing looked at the images, so
 * "no findings" would be unfounded).
 */
export function aggregateFindings(
  results: readonly AnalyzerResult[],
  autoReleaseThreshold: number = DEFAULT_AUTO_RELEASE_THRESHOLD,
  studyRequiresReview = false,
): AggregateSummary {
  if (!(autoReleaseThreshold >= 0 && autoReleaseThreshold <= 1)) {
    throw new RangeError('autoReleaseThreshold must be between 0 and 1');
  }
  const namesWith = (status: AnalyzerStatus) =>
    results.filter((result) => result.status === status).map((result) => result.analyzerName);
  const findings = results.flatMap((result) => result.findings ?? []);
  const confidences = findings.map((finding) => finding.confidence);
  const usable = confidences.filter((confidence) => Number.isFinite(confidence));
  const succeeded = namesWith(AnalyzerStatus.SUCCEEDED);
  const failed = namesWith(AnalyzerStatus.FAILED);
  const uncertain = confidences.some((confidence) => !(confidence >= autoReleaseThreshold));
  return {
    findingCount: findings.length,
    maxConfidence: usable.length === 0 ? 0 : Math.max(...usable),
    reviewRequired: studyRequiresReview || uncertain || failed.length > 0 || succeeded.length === 0,
    succeeded,
    failed,
    skipped: namesWith(AnalyzerStatus.SKIPPED),
  };
}
