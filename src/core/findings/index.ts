/**
 * Turns the analyzers' results into the summary the review policy acts on: each
 * finding decided by the finding rules (release, hold for review, suppress; a
 * priority), the study held when any finding is held, any analyzer failed, none
 * succeeded or an image was flagged at ingest, at the highest priority found.
 */
import { decide, higherPriority, TriagedFinding } from './finding-rules';
import { AnalyzerResult, AnalyzerStatus } from '../../shared/analyzer-result';
import { FindingAction, FindingRule, ReviewReason, ReviewReasonValue, StudyPriority } from '../../shared/finding-rules';
import { AggregateSummary } from '../../shared/workflow';

export * from './finding-rules';
export * from './amendments';
export * from './version-changes';

export interface Triage {
  /** The summary without where the triage is stored (the step adds that). */
  readonly summary: Omit<AggregateSummary, 'triage'>;
  readonly findings: TriagedFinding[];
}

export function triageFindings(
  results: readonly AnalyzerResult[],
  rules: readonly FindingRule[],
  studyRequiresReview = false,
): Triage {
  const namesWith = (status: AnalyzerStatus) =>
    results.filter((result) => result.status === status).map((result) => result.analyzerName);
  const findings: TriagedFinding[] = results.flatMap((result) => (result.findings ?? []).map((finding) => ({
    analyzerName: result.analyzerName,
    finding,
    ...decide(rules, finding, result.analyzerName),
  })));
  const reported = findings.filter((f) => f.action !== FindingAction.SUPPRESS);
  const held = reported.filter((f) => f.action === FindingAction.HOLD_FOR_REVIEW);
  const succeeded = namesWith(AnalyzerStatus.SUCCEEDED);
  const failed = namesWith(AnalyzerStatus.FAILED);
  const reviewReasons: ReviewReasonValue[] = [
    ...held.length > 0 ? [ReviewReason.FINDING_HELD] : [],
    ...failed.length > 0 ? [ReviewReason.ANALYZER_FAILED] : [],
    ...succeeded.length === 0 ? [ReviewReason.NO_ANALYZER_SUCCEEDED] : [],
    ...studyRequiresReview ? [ReviewReason.BURNED_IN_ANNOTATION] : [],
  ];
  const confidences = reported.map((f) => f.finding.confidence).filter((c) => Number.isFinite(c));
  return {
    summary: {
      findingCount: reported.length,
      heldCount: held.length,
      suppressedCount: findings.length - reported.length,
      maxConfidence: confidences.length === 0 ? 0 : Math.max(...confidences),
      priority: reported.reduce((p, f) => higherPriority(p, f.priority), StudyPriority.ROUTINE as StudyPriority),
      reviewRequired: reviewReasons.length > 0,
      reviewReasons,
      succeeded,
      failed,
      skipped: namesWith(AnalyzerStatus.SKIPPED),
    },
    findings,
  };
}
