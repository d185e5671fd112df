/** Workflow step "Aggregate findings": AggregateRequest -> AggregateSummary (`$.aggregate`). */
import { EnvVar } from '../../../shared/env';
import { AggregateRequest, AggregateSummary } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { createPipelineMetrics, flushingMetrics, PipelineMetrics } from '../../lambda/metrics';
import { aggregateStudyFindings, AggregateFindingsDeps } from '../../steps/aggregate-findings';
import { recordAnalyzerOutcomes } from '../../steps/workflow-metrics';

export function handleAggregateFindings(
  deps: AggregateFindingsDeps & { readonly log: SafeLog },
  metrics: PipelineMetrics = createPipelineMetrics(),
) {
  return (request: AggregateRequest): Promise<AggregateSummary> => flushingMetrics(metrics, async () => {
    const summary = await aggregateStudyFindings(deps, request);
    deps.log.info('Findings aggregated', {
      studyKey: request.studyKey,
      version: request.version,
      findingCount: summary.findingCount,
      heldCount: summary.heldCount,
      suppressedCount: summary.suppressedCount,
      priority: summary.priority,
      reviewRequired: summary.reviewRequired,
    });
    // Every analyzer's final outcome passes here once per study version, a failed branch's too.
    recordAnalyzerOutcomes(metrics, request.results);
    return summary;
  });
}

const wired = lazy(() => handleAggregateFindings({
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('aggregate-findings'),
}));

export const handler = (request: AggregateRequest): Promise<AggregateSummary> => wired()(request);
