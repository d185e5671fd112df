import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { RetryableAnalyzerError, TIMEOUT_ERRORS } from '../../shared/analyzer-errors';

/**
 * Throttling and brief unavailability of the analyzer's service: retried with
 * exponential backoff and full jitter, so many batches retrying at once do not
 * stampede it. (Lambda's own service errors are retried by each LambdaInvoke.)
 */
export const THROTTLING_RETRY: sfn.RetryProps = {
  errors: [RetryableAnalyzerError.THROTTLED, RetryableAnalyzerError.UNAVAILABLE],
  interval: Duration.seconds(2),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

/** A batch that timed out gets one more try: a slow model rarely gets faster by asking often. */
export const TIMEOUT_RETRY: sfn.RetryProps = {
  errors: TIMEOUT_ERRORS,
  interval: Duration.seconds(5),
  maxAttempts: 1,
  backoffRate: 2,
  jitterStrategy: sfn.JitterType.FULL,
};

/** Longest the retries above can wait in total (their delays, before jitter shortens them). */
export function worstCaseRetryDelay(): Duration {
  const delays = (r: sfn.RetryProps) => Array.from({ length: r.maxAttempts ?? 3 }, (_, i) =>
    Math.min((r.interval ?? Duration.seconds(1)).toSeconds() * (r.backoffRate ?? 2) ** i, r.maxDelay?.toSeconds() ?? Infinity));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return Duration.seconds(sum(delays(THROTTLING_RETRY)) + sum(delays(TIMEOUT_RETRY)));
}
