/** Aggregate summaries for tests that need one but are not about how it is computed. */
import { StudyPriority } from '../../src/shared/finding-rules';
import { AggregateSummary } from '../../src/shared/workflow';

/** One analyzer ('quality') succeeded with findings of these confidences, none held or suppressed unless overridden. */
export function summaryOf(confidences: readonly number[], overrides: Partial<AggregateSummary> = {}): AggregateSummary {
  return {
    findingCount: confidences.length,
    heldCount: 0,
    suppressedCount: 0,
    maxConfidence: Math.max(0, ...confidences),
    priority: StudyPriority.ROUTINE,
    reviewRequired: false,
    reviewReasons: [],
    succeeded: ['quality'],
    failed: [],
    skipped: [],
    ...overrides,
  };
}
