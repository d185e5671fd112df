import { PipelineMetrics } from '../../../src/runtime/lambda/metrics';
import { recordIngestOutcome } from '../../../src/runtime/steps/ingest-metrics';
import { MetricName } from '../../../src/shared/metrics';

function recorder() {
  const recorded: Array<[string, number, string | undefined]> = [];
  const metrics: PipelineMetrics = { record: (name, value, dimension) => recorded.push([name, value, dimension?.value]), flush: () => undefined };
  return { metrics, recorded };
}

describe('ingest metrics', () => {
  test('a first write counts one image; a redelivery of it (ACCEPTED, not created) counts none', () => {
    const { metrics, recorded } = recorder();
    recordIngestOutcome(metrics, { outcome: 'ACCEPTED', studyKey: 's', version: 1, created: true, ready: false });
    recordIngestOutcome(metrics, { outcome: 'ACCEPTED', studyKey: 's', version: 1, created: false, ready: false });
    expect(recorded).toEqual([[MetricName.IMAGES_INGESTED, 1, undefined]]);
  });

  test('a rejection counts under its reason code; skipped objects and fanned-out prefixes count nothing', () => {
    const { metrics, recorded } = recorder();
    recordIngestOutcome(metrics, { outcome: 'REJECTED', reasonCode: 'TRUNCATED_DICOM', objectHash: 'h' });
    recordIngestOutcome(metrics, { outcome: 'SKIPPED', reason: 'OBJECT_GONE' });
    recordIngestOutcome(metrics, { outcome: 'FANNED_OUT', objectCount: 12 });
    expect(recorded).toEqual([[MetricName.IMAGES_REJECTED, 1, 'TRUNCATED_DICOM']]);
  });
});
