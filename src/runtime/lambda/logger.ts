/**
 * Logger factory. Handlers log through `logSafe`, which keeps only fields on an
 * allow-list of values that cannot carry PHI (pseudonymous keys, counts, codes).
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** Field names whose values are PHI-free by construction. */
export const SAFE_LOG_FIELDS: ReadonlySet<string> = new Set([
  'studyKey',
  'seriesKey',
  'instanceKey',
  'version',
  'status',
  'fromStatus',
  'toStatus',
  'reasonCode',
  'objectHash',
  'kind',
  'modality',
  'width',
  'height',
  'instanceCount',
  'expectedInstances',
  'created',
  'opened',
  'ready',
  'readiness',
  'studies',
  'started',
  'findingCount',
  'maxConfidence',
  'reviewRequired',
  'analyzerName',
  'imageCount',
  'durationMs',
  'errorName',
  'detailType',
  'reportVersion',
  'recordCount',
  'failedCount',
  'sizeBytes',
  'batchIndex',
  'batchCount',
  'mode',
  'skipReason',
  'errorCode',
  /** Fixed texts naming a field of an analyzer result that failed validation (never its value). */
  'problem',
  'notified',
  'heldCount',
  'suppressedCount',
  'priority',
  'requested',
]);

export type SafeValue = string | number | boolean | undefined;

/** Drops every field that is not on the allow-list (and any non-scalar value). */
export function safeFields(fields: Record<string, unknown>): Record<string, SafeValue> {
  const kept: Record<string, SafeValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (SAFE_LOG_FIELDS.has(name) && scalar) {
      kept[name] = value;
    }
  }
  return kept;
}

/** The small logging surface handlers and steps depend on (easy to fake in tests). */
export interface SafeLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Wraps a Powertools logger; messages must be constant strings, fields pass the allow-list. */
export function createSafeLog(serviceName: string, logger: Logger = new Logger({ serviceName })): SafeLog {
  return {
    info: (message, fields = {}) => logger.info(message, safeFields(fields)),
    warn: (message, fields = {}) => logger.warn(message, safeFields(fields)),
    error: (message, fields = {}) => logger.error(message, safeFields(fields)),
  };
}

/** Name of an error suitable for logs: class-like names only, never the message. */
export function errorName(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  return name !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(name) ? name : 'UnknownError';
}
