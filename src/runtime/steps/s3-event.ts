/** Reads the EventBridge "Object Created" event (S3) out of an SQS message body. */
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

export function parseObjectCreated(body: string): UploadedObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedEventError('body is not JSON');
  }
  const detail = field(field(parsed, 'event').detail, 'detail');
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
