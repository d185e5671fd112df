/**
 * Reads one de-identified derived image (the analysis PNG or the DICOM) for a
 * service call, refusing to buffer more than the service would accept, and
 * checks a PNG's pixel size against the service's limits before any call.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { callService, S3_READ_ERRORS, ServiceOutcome } from './service-errors';
import { readPngHeader } from '../../../core/imaging/png';
import { checkImageLimits, ImageLimitVerdict, ServiceImageLimits } from '../../../core/service-answers/image-limits';
import { AnalyzerErrorCode, AnalyzerErrorCodeValue } from '../../../shared/analyzer-errors';

export type BoundedRead = { readonly kind: 'loaded'; readonly bytes: Uint8Array } | { readonly kind: 'missing' } | { readonly kind: 'too-large' };

async function getBounded(s3: S3Client, bucket: string, key: string, maxBytes: number, abortSignal?: AbortSignal): Promise<BoundedRead> {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
  } catch (error) {
    if ((error as { name?: unknown }).name === 'NoSuchKey') return { kind: 'missing' };
    throw error;
  }
  const body = response.Body;
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    // Leave the body unread: close the stream.
    (body as { destroy?: () => void } | undefined)?.destroy?.();
    return { kind: 'too-large' };
  }
  const bytes = body === undefined ? new Uint8Array(0) : await body.transformToByteArray();
  return bytes.length > maxBytes ? { kind: 'too-large' } : { kind: 'loaded', bytes };
}

/** An object's bytes when it exists and holds at most `maxBytes` (a larger body is never read). */
export function readBoundedObject(
  s3: S3Client, location: { readonly bucket: string; readonly key: string }, maxBytes: number, abortSignal?: AbortSignal,
): Promise<ServiceOutcome<BoundedRead>> {
  return callService(() => getBounded(s3, location.bucket, location.key, maxBytes, abortSignal), S3_READ_ERRORS);
}

/**
 * The object's bytes, or FAILED with IMAGE_MISSING (no such object) or
 * IMAGE_TOO_LARGE (more than `maxBytes`: the body is not read).
 */
export async function readImageBytes(
  s3: S3Client, location: { readonly bucket: string; readonly key: string }, maxBytes: number, abortSignal?: AbortSignal,
): Promise<ServiceOutcome<Uint8Array>> {
  const read = await readBoundedObject(s3, location, maxBytes, abortSignal);
  if (!read.ok) return read;
  switch (read.value.kind) {
    case 'loaded': return { ok: true, value: read.value.bytes };
    case 'missing': return { ok: false, errorCode: AnalyzerErrorCode.IMAGE_MISSING };
    default: return { ok: false, errorCode: AnalyzerErrorCode.IMAGE_TOO_LARGE };
  }
}

/** Why the service would refuse this PNG (IMAGE_TOO_LARGE, or INVALID_REQUEST when too small or not a PNG), if it would. */
export function pngRefusal(bytes: Uint8Array, limits: ServiceImageLimits): AnalyzerErrorCodeValue | undefined {
  let header;
  try {
    header = readPngHeader(bytes);
  } catch {
    return AnalyzerErrorCode.INVALID_REQUEST;
  }
  switch (checkImageLimits({ bytes: bytes.length, width: header.width, height: header.height }, limits)) {
    case ImageLimitVerdict.TOO_LARGE: return AnalyzerErrorCode.IMAGE_TOO_LARGE;
    case ImageLimitVerdict.TOO_SMALL: return AnalyzerErrorCode.INVALID_REQUEST;
    default: return undefined;
  }
}

/** The analysis PNG's bytes when the service would accept them, else FAILED with the reason. */
export async function readAnalysisPng(
  s3: S3Client, location: { readonly bucket: string; readonly key: string }, limits: ServiceImageLimits, abortSignal?: AbortSignal,
): Promise<ServiceOutcome<Uint8Array>> {
  const read = await readImageBytes(s3, location, limits.maxBytes, abortSignal);
  if (!read.ok) return read;
  const refusal = pngRefusal(read.value, limits);
  return refusal === undefined ? read : { ok: false, errorCode: refusal };
}
