/**
 * The custom metrics' `service` dimension at synth time: a `MedicalImagingPipeline`
 * names itself in the construct tree, every function under it gets that name as
 * `POWERTOOLS_SERVICE_NAME`, and the dashboard and alarms query the same value.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { DEFAULT_METRICS_SERVICE, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../shared/metrics';

/** Construct-tree context key holding the pipeline's metrics service name. */
export const METRICS_SERVICE_CONTEXT = 'cdk-medical-imaging-pipeline:metricsService';

/** Names the pipeline for its metrics; call before the pipeline creates any child. */
export function nameMetricsService(pipeline: IConstruct, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
    throw new Error(`Metrics service name '${name}' is invalid: use 1-128 letters, digits, '-', '_' or '.'.`);
  }
  pipeline.node.setContext(METRICS_SERVICE_CONTEXT, name);
}

/** The metrics service name that applies at `scope` (its pipeline's, else the default). */
export function pipelineMetricsService(scope: IConstruct): string {
  const name: unknown = scope.node.tryGetContext(METRICS_SERVICE_CONTEXT);
  return typeof name === 'string' ? name : DEFAULT_METRICS_SERVICE;
}

/** One of the handlers' custom metrics as CloudWatch stores it. */
export function pipelineMetric(
  service: string,
  metricName: string,
  statistic: string,
  period: Duration,
  dimensions: { [name: string]: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic,
    period,
    dimensionsMap: { [SERVICE_DIMENSION]: service, ...dimensions },
  });
}
