/** S3 access: upload reads, derived images, quarantine moves and report writes. */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ObjectLocation } from './rejections';

/**
 * Reads a whole object (callers bound the size first): its bytes, or undefined when it no longer exists (deleted, or already
 * quarantined by an earlier delivery of the same event in a bucket without versioning).
 */
export async function getObjectBytes(s3: S3Client, location: ObjectLocation): Promise<Uint8Array | undefined> {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      VersionId: location.versionId,
    }));
  } catch (error) {
    if ((error as { name?: unknown }).name === 'NoSuchKey') return undefined;
    throw error;
  }
  if (response.Body === undefined) {
    return new Uint8Array(0);
  }
  return response.Body.transformToByteArray();
}

export interface NewObject {
  readonly key: string;
  readonly body: Uint8Array | string;
  readonly contentType: string;
}

export async function putObjects(s3: S3Client, bucket: string, objects: readonly NewObject[]): Promise<void> {
  await Promise.all(objects.map((object) => s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: object.key,
    Body: object.body,
    ContentType: object.contentType,
  }))));
}

/** S3 wants the copy source URL-encoded, segment by segment (keeping the slashes). */
function copySource(location: ObjectLocation): string {
  const path = `${location.bucket}/${location.key.split('/').map(encodeURIComponent).join('/')}`;
  return location.versionId === undefined ? path : `${path}?versionId=${encodeURIComponent(location.versionId)}`;
}

/**
 * Copies the object to `quarantineKey` in the same bucket, labelled with the
 * reason code. The original key (upload file names often name the patient) is
 * not kept: `quarantineKey` ends in the keyed object hash the rejection record holds.
 */
export async function copyToQuarantine(
  s3: S3Client,
  location: ObjectLocation,
  quarantineKey: string,
  reasonCode: string,
): Promise<void> {
  await s3.send(new CopyObjectCommand({
    Bucket: location.bucket,
    Key: quarantineKey,
    CopySource: copySource(location),
    MetadataDirective: 'REPLACE',
    Metadata: { 'reason-code': reasonCode },
    ContentType: 'application/octet-stream',
    TaggingDirective: 'REPLACE',
    Tagging: `reason-code=${encodeURIComponent(reasonCode)}`,
  }));
}

/** An object's size in bytes, or undefined when it does not exist. */
export async function objectSize(s3: S3Client, location: ObjectLocation): Promise<number | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.versionId }));
    return head.ContentLength ?? 0;
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Up to `limit` objects under a prefix (folder placeholders, keys ending in '/',
 * left out), in key order, and whether more remain beyond them.
 */
export async function listObjects(
  s3: S3Client,
  location: { readonly bucket: string; readonly prefix: string },
  limit: number,
): Promise<{ readonly objects: { key: string; size: number }[]; readonly truncated: boolean }> {
  const objects: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) {
      if (entry.Key === undefined || entry.Key.endsWith('/')) continue;
      if (objects.length === limit) return { objects, truncated: true };
      objects.push({ key: entry.Key, size: entry.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { objects, truncated: false };
}

/** Copies the object to `key` in the same bucket with no user metadata (server-side, so no size limit below 5 GB). */
export async function copyObject(s3: S3Client, location: ObjectLocation, key: string): Promise<void> {
  await s3.send(new CopyObjectCommand({
    Bucket: location.bucket,
    Key: key,
    CopySource: copySource(location),
    MetadataDirective: 'REPLACE',
    ContentType: 'application/octet-stream',
  }));
}

/** Deletes the current version (a delete marker in a versioned bucket: nothing is lost). */
export async function deleteObject(s3: S3Client, location: ObjectLocation): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
}

/** Writes a value as a JSON object. */
export async function putJson(s3: S3Client, location: { readonly bucket: string; readonly key: string }, value: unknown): Promise<void> {
  await putObjects(s3, location.bucket, [{ key: location.key, body: JSON.stringify(value), contentType: 'application/json' }]);
}

/** Reads a JSON object: its value, or undefined when it does not exist. */
export async function getJson<T>(s3: S3Client, location: { readonly bucket: string; readonly key: string }): Promise<T | undefined> {
  const bytes = await getObjectBytes(s3, location);
  return bytes === undefined ? undefined : JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
