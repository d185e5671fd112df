/** Workflow step "Aggregate findings": { results, autoReleaseThreshold? } -> AggregateSummary. */
import { aggregateFindings, DEFAULT_AUTO_RELEASE_THRESHOLD } from '../../../core/findings';
import { AnalyzerResult } from '../../../shared/analyzer-result';
import { EnvVar } from '../../../shared/env';
import { AggregateSummary } from '../../../shared/workflow';
import { numberEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { InvalidStepInputError } from '../../steps/workflow-input';

export interface AggregateFindingsInput {
  readonly results: AnalyzerResult[];
  /** Overrides AUTO_RELEASE_THRESHOLD for this execution. */
  readonly autoReleaseThreshold?: number;
  /** The study descriptor's `requiresReview` (burned-in annotation flagged at ingest). */
  readonly studyRequiresReview?: boolean;
}

export function handleAggregateFindings(deps: { readonly defaultThreshold: number; readonly log: SafeLog }) {
  return async (input: AggregateFindingsInput): Promise<AggregateSummary> => {
    if (!Array.isArray(input?.results)) {
      throw new InvalidStepInputError('results must be an array');
    }
    const summary = aggregateFindings(
      input.results,
      input.autoReleaseThreshold ?? deps.defaultThreshold,
      input.studyRequiresReview === true,
    );
    deps.log.info('Findings aggregated', {
      findingCount: summary.findingCount,
      maxConfidence: summary.maxConfidence,
      reviewRequired: summary.reviewRequired,
    });
    return summary;
  };
}

const wired = lazy(() => handleAggregateFindings({
  defaultThreshold: numberEnv(EnvVar.AUTO_RELEASE_THRESHOLD, DEFAULT_AUTO_RELEASE_THRESHOLD),
  log: createSafeLog('aggregate-findings'),
}));

export const handler = (input: AggregateFindingsInput): Promise<AggregateSummary> => wired()(input);
