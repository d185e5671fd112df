/**
 * Reads an ingest queue message: an EventBridge "Object Created" event (S3), or
 * an "Analysis Requested" event naming objects that are already stored.
 */
import { AnalysisRequest, parseAnalysisRequest } from '../../core/analysis-requests';
import { DetailType } from '../../shared/events';
import { ObjectLocation } from '../storage/rejections';

export interface UploadedObject extends ObjectLocation {
  /** Size in bytes as reported by S3, when present. */
  readonly size?: number;
}

export class MalformedEventError extends Error {
  constructor(problem: string) {
    super(`Not an S3 Object Created event: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

function field(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new MalformedEventError(`missing ${name}`);
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export type IngestMessage =
  | { readonly kind: 'UPLOADED'; readonly object: UploadedObject }
  /** `request` is undefined when the detail is invalid; `problem` then says why. */
  | { readonly kind: 'REQUESTED'; readonly request?: AnalysisRequest; readonly problem?: string; readonly bucket?: string };

function parseBody(body: string): Record<string, unknown> {
  try {
    return field(JSON.parse(body), 'event');
  } catch (error) {
    if (error instanceof MalformedEventError) throw error;
    throw new MalformedEventError('body is not JSON');
  }
}

export function parseIngestMessage(body: string): IngestMessage {
  const event = parseBody(body);
  if (event['detail-type'] !== DetailType.ANALYSIS_REQUESTED) {
    return { kind: 'UPLOADED', object: objectCreatedOf(event) };
  }
  try {
    return { kind: 'REQUESTED', request: parseAnalysisRequest(event.detail) };
  } catch (error) {
    const bucket = (event.detail as { bucket?: unknown } | undefined)?.bucket;
    return { kind: 'REQUESTED', problem: (error as Error).message, ...(typeof bucket === 'string' ? { bucket } : {}) };
  }
}

export function parseObjectCreated(body: string): UploadedObject {
  return objectCreatedOf(parseBody(body));
}

function objectCreatedOf(event: Record<string, unknown>): UploadedObject {
  const detail = field(event.detail, 'detail');
  const bucket = field(detail.bucket, 'detail.bucket');
  const object = field(detail.object, 'detail.object');
  if (typeof bucket.name !== 'string' || typeof object.key !== 'string') {
    throw new MalformedEventError('missing bucket name or object key');
  }
  return {
    bucket: bucket.name,
    key: object.key,
    size: typeof object.size === 'number' ? object.size : undefined,
    etag: optionalString(object.etag),
    versionId: optionalString(object['version-id']),
  };
}
