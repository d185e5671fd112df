/**
 * The review API's side of API Gateway's Lambda proxy integration: who is
 * calling (from the authenticated request context, never the body), the path
 * parameter and body, and responses. An error body says what is wrong with
 * the request in fixed words and field names, never values from the table.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorName, SafeLog } from '../../lambda/logger';

export type ApiEvent = Pick<APIGatewayProxyEvent, 'body' | 'pathParameters' | 'requestContext' | 'isBase64Encoded'>;
export type ApiResult = APIGatewayProxyResult;

export const ApiErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
} as const;
type ApiErrorCodeValue = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

const STATUS_OF: Record<ApiErrorCodeValue, number> = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 };

/** A refusal the caller can act on (4xx). */
export class ApiError extends Error {
  public readonly statusCode: number;
  constructor(public readonly code: ApiErrorCodeValue, message: string, public readonly problems: readonly string[] = []) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = STATUS_OF[code];
  }
}

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // Responses carry presigned URLs and clinical findings: no shared or browser caches.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

export function jsonResponse(statusCode: number, body: unknown): ApiResult {
  return { statusCode, headers: { ...HEADERS }, body: JSON.stringify(body) };
}

/** Runs one route; refusals become their 4xx, anything else a 500 with no detail (logged by error name only). */
export function apiHandler(log: SafeLog, route: (event: ApiEvent) => Promise<ApiResult>) {
  return async (event: ApiEvent): Promise<ApiResult> => {
    try {
      return await route(event);
    } catch (error) {
      if (error instanceof ApiError) {
        log.warn('Review API request refused', { errorCode: error.code, status: error.statusCode });
        return jsonResponse(error.statusCode, { message: error.message, ...(error.problems.length === 0 ? {} : { problems: error.problems }) });
      }
      log.error('Review API request failed', { errorName: errorName(error) });
      return jsonResponse(500, { message: 'Internal error' });
    }
  };
}

const STUDY_KEY = /^[a-z0-9]{1,64}$/;

/** The `{studyKey}` path parameter (pseudonyms are lower-case base32). */
export function studyKeyOf(event: ApiEvent): string {
  const studyKey = event.pathParameters?.studyKey;
  if (typeof studyKey !== 'string' || !STUDY_KEY.test(studyKey)) {
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'studyKey must be 1-64 lower-case letters and digits');
  }
  return studyKey;
}

export function jsonBodyOf(event: ApiEvent): unknown {
  const raw = event.isBase64Encoded && event.body !== null ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === null || raw === undefined || raw === '') throw new ApiError(ApiErrorCode.BAD_REQUEST, 'The request needs a JSON body');
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'The request body is not valid JSON');
  }
}

const IDENTITY = /^[\x21-\x7e]{1,512}$/;

/**
 * The authenticated reviewer: the Cognito subject (or user name) when a user
 * pool authorizer ran, else the IAM caller's ARN (SigV4). API Gateway sets
 * both from the verified request; nothing the caller writes in the body counts.
 */
export function reviewerOf(event: ApiEvent): string {
  const claims = (event.requestContext?.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
  const candidate = claims !== undefined
    ? claims.sub ?? claims['cognito:username']
    : event.requestContext?.identity?.userArn;
  if (typeof candidate !== 'string' || !IDENTITY.test(candidate)) {
    throw new ApiError(ApiErrorCode.FORBIDDEN, 'The request carries no authenticated reviewer identity');
  }
  return candidate;
}
