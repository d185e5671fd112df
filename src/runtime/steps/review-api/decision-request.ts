/**
 * The body of POST /studies/{studyKey}/decision, checked field by field. Any
 * other field (a `reviewer`, say) is ignored: who decides comes from the
 * authenticated request, never from what the caller writes.
 */
import { ApiError, ApiErrorCode } from './api-io';
import { FindingAmendment, ReviewAction, ReviewActionValue } from '../../../shared/reviews';

export const MAX_AMENDMENTS = 100;
const MAX_REASON = 500;
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;

export interface DecisionRequest {
  readonly version: number;
  readonly action: ReviewActionValue;
  readonly amendments: FindingAmendment[];
  readonly reason?: string;
}

const ACTIONS: readonly string[] = Object.values(ReviewAction);

/** The request, or a 400 listing every problem (field names, never values). */
export function parseDecisionRequest(body: unknown): DecisionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'The body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b.version !== 'number' || !Number.isInteger(b.version) || b.version < 1) problems.push('version must be a positive integer');
  if (typeof b.decision !== 'string' || !ACTIONS.includes(b.decision)) problems.push(`decision must be one of ${ACTIONS.join(', ')}`);
  if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.trim() === '' || b.reason.length > MAX_REASON || !PRINTABLE.test(b.reason))) {
    problems.push(`reason must be 1-${MAX_REASON} printable characters`);
  }
  const amendments = b.amendments ?? [];
  if (!Array.isArray(amendments) || amendments.length > MAX_AMENDMENTS) {
    problems.push(`amendments must be a list of at most ${MAX_AMENDMENTS} changes`);
  } else if (b.decision === ReviewAction.AMEND && amendments.length === 0) {
    problems.push('decision AMEND needs at least one amendment');
  } else if (b.decision !== ReviewAction.AMEND && amendments.length > 0) {
    problems.push('amendments are only allowed with decision AMEND');
  }
  if (b.decision === ReviewAction.REJECT && b.reason === undefined) problems.push('decision REJECT needs a reason');
  if (problems.length > 0) throw new ApiError(ApiErrorCode.BAD_REQUEST, 'The decision request is invalid', problems);
  return {
    version: b.version as number,
    action: b.decision as ReviewActionValue,
    amendments: amendments as FindingAmendment[],
    ...(b.reason === undefined ? {} : { reason: (b.reason as string).trim() }),
  };
}
