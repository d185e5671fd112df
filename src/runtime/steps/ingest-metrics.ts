/** Turns one ingest outcome into its metric: accepted images, or rejected images by reason code. */
import type { RequestOutcome } from './referenced-input';
import { MetricDimension, MetricName } from '../../shared/metrics';
import type { PipelineMetrics } from '../lambda/metrics';

export function recordIngestOutcome(metrics: PipelineMetrics, outcome: RequestOutcome): void {
  // A prefix fanned out counts nothing here: each of its objects is counted when it is ingested.
  // A redelivered upload is ACCEPTED again (idempotently) but is not a new image: only a first write counts.
  if (outcome.outcome === 'ACCEPTED' && outcome.created) {
    metrics.record(MetricName.IMAGES_INGESTED, 1);
  } else if (outcome.outcome === 'REJECTED') {
    metrics.record(MetricName.IMAGES_REJECTED, 1, { name: MetricDimension.REASON, value: outcome.reasonCode });
  }
}
