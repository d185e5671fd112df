/**
 * How analyzer failures are told apart. A batch invocation that throws one of
 * the retryable error names is retried by the workflow with backoff and jitter;
 * any other error, or a FAILED result, fails that batch at once.
 */

/** Error names (the thrown error's `name`) the workflow retries. */
export const RetryableAnalyzerError = {
  /** The service throttled the call or a quota was hit. */
  THROTTLED: 'AnalyzerThrottledError',
  /** The service or model was briefly unavailable (5xx, model warming up). */
  UNAVAILABLE: 'AnalyzerUnavailableError',
  /** The service did not answer in time. */
  TIMEOUT: 'AnalyzerTimeoutError',
} as const;

/** Machine-readable reasons on a FAILED `AnalyzerResult` (`errorCode`); no PHI. */
export const AnalyzerErrorCode = {
  THROTTLED: 'THROTTLED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  ACCESS_DENIED: 'ACCESS_DENIED',
  /** The request was refused as invalid (e.g. image format or parameters). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The image exceeds what the service accepts (bytes or pixels). */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** The model, project version or endpoint does not exist or is not running. */
  MODEL_NOT_AVAILABLE: 'MODEL_NOT_AVAILABLE',
  /** The model itself failed (e.g. a SageMaker container error). */
  MODEL_ERROR: 'MODEL_ERROR',
  /** The model answered, but not in the agreed shape. */
  MALFORMED_MODEL_OUTPUT: 'MALFORMED_MODEL_OUTPUT',
  /** The analyzer returned something that is not a valid `AnalyzerResult`. */
  INVALID_RESULT: 'INVALID_RESULT',
  /** One batch's output was larger than a workflow state may hold. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** A de-identified image the analyzer needed was missing. */
  IMAGE_MISSING: 'IMAGE_MISSING',
  /** A planned batch left no record (e.g. its child workflow ended outside the workflow's catch). */
  BATCH_INCOMPLETE: 'BATCH_INCOMPLETE',
  /** Any other error of the analyzer. */
  ANALYZER_ERROR: 'ANALYZER_ERROR',
} as const;
export type AnalyzerErrorCodeValue = (typeof AnalyzerErrorCode)[keyof typeof AnalyzerErrorCode];

/** Error names a timed-out batch fails with: Step Functions' task timeout, Lambda's, or an analyzer's own. */
export const TIMEOUT_ERRORS = [RetryableAnalyzerError.TIMEOUT, 'States.Timeout', 'Sandbox.Timedout'];

/** The error code for a batch the workflow caught failing with this error name. */
export function errorCodeForFailure(errorName: string | undefined): AnalyzerErrorCodeValue {
  switch (errorName) {
    case RetryableAnalyzerError.THROTTLED:
    case 'Lambda.TooManyRequestsException':
      return AnalyzerErrorCode.THROTTLED;
    case RetryableAnalyzerError.UNAVAILABLE:
    case 'Lambda.ServiceException':
    case 'Lambda.AWSLambdaException':
    case 'Lambda.SdkClientException':
      return AnalyzerErrorCode.SERVICE_UNAVAILABLE;
    case RetryableAnalyzerError.TIMEOUT:
    case 'States.Timeout':
    case 'Sandbox.Timedout':
      return AnalyzerErrorCode.TIMEOUT;
    case 'States.DataLimitExceeded':
      return AnalyzerErrorCode.RESULT_TOO_LARGE;
    default:
      return AnalyzerErrorCode.ANALYZER_ERROR;
  }
}
