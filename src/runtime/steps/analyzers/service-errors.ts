/**
 * Service errors, told apart the way the workflow needs them: transient ones
 * are thrown under a retryable name (the workflow retries the batch with
 * backoff and jitter); the others become a FAILED result with an error code, so
 * the analyzer fails fast. Errors no table knows are thrown unchanged (the
 * workflow records ANALYZER_ERROR). Only error names are kept, never messages.
 */
import { AnalyzerErrorCode, AnalyzerErrorCodeValue, RetryableAnalyzerError } from '../../../shared/analyzer-errors';
import { errorName } from '../../lambda/logger';

type RetryableName = (typeof RetryableAnalyzerError)[keyof typeof RetryableAnalyzerError];

/** What to do with one service error. */
export type ErrorVerdict = { readonly retry: RetryableName } | { readonly errorCode: AnalyzerErrorCodeValue };

/** Verdicts by error name; a function when the verdict depends on the error's fields. */
export type ErrorTable = Readonly<Record<string, ErrorVerdict | ((error: unknown) => ErrorVerdict)>>;

export const THROTTLED: ErrorVerdict = { retry: RetryableAnalyzerError.THROTTLED };
export const UNAVAILABLE: ErrorVerdict = { retry: RetryableAnalyzerError.UNAVAILABLE };
export const TIMED_OUT: ErrorVerdict = { retry: RetryableAnalyzerError.TIMEOUT };
export const fail = (errorCode: AnalyzerErrorCodeValue): ErrorVerdict => ({ errorCode });

/** A transient failure the workflow retries; the message names the service error, never its text. */
export class RetryableServiceError extends Error {
  constructor(name: RetryableName, readonly serviceError: string) {
    super(`Retryable service error ${serviceError}`);
    this.name = name;
  }
}

/** The SDK's own outcomes, whatever the service: its request timeout, and our deadline's abort. */
const SDK_ERRORS: ErrorTable = {
  TimeoutError: TIMED_OUT,
  RequestTimeout: TIMED_OUT,
  AbortError: TIMED_OUT,
};

/** S3 GetObject on the derived images (NoSuchKey is handled by the image loader). */
export const S3_READ_ERRORS: ErrorTable = {
  AccessDenied: fail(AnalyzerErrorCode.ACCESS_DENIED),
  Forbidden: fail(AnalyzerErrorCode.ACCESS_DENIED),
  SlowDown: THROTTLED,
  InternalError: UNAVAILABLE,
  ServiceUnavailable: UNAVAILABLE,
};

/** The verdict for an error, or undefined when no table knows it. */
export function classifyServiceError(error: unknown, table: ErrorTable): ErrorVerdict | undefined {
  const name = errorName(error);
  const entry = table[name] ?? SDK_ERRORS[name];
  return typeof entry === 'function' ? entry(error) : entry;
}

export type ServiceOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errorCode: AnalyzerErrorCodeValue };

/**
 * Runs one service call: its value, or the FAILED error code for a
 * non-retryable error. Throws `RetryableServiceError` for transient errors
 * and rethrows unknown ones.
 */
export async function callService<T>(call: () => Promise<T>, table: ErrorTable): Promise<ServiceOutcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const verdict = classifyServiceError(error, table);
    if (verdict === undefined) throw error;
    if ('retry' in verdict) throw new RetryableServiceError(verdict.retry, errorName(error));
    return { ok: false, errorCode: verdict.errorCode };
  }
}
