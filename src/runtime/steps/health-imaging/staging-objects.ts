/**
 * S3 access of the HealthImaging import: server-side copies into the staging
 * bucket, and reads of what the import job wrote to its output prefix.
 */
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';

/** S3 wants the copy source URL-encoded, segment by segment (keeping the slashes). */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export interface StagedCopy {
  readonly sourceKey: string;
  readonly targetKey: string;
}

/**
 * Copies each object from `sourceBucket` into `targetBucket`, `concurrency`
 * at a time, inside S3 (the bytes never pass through the function). The
 * target bucket's default encryption applies. Repeating a copy is harmless.
 */
export async function copyObjects(
  s3: S3Client,
  sourceBucket: string,
  targetBucket: string,
  copies: readonly StagedCopy[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < copies.length) {
      const copy = copies[next++];
      await s3.send(new CopyObjectCommand({
        Bucket: targetBucket,
        Key: copy.targetKey,
        CopySource: copySource(sourceBucket, copy.sourceKey),
        ContentType: 'application/dicom',
        MetadataDirective: 'REPLACE',
        // No tags are carried over, so the copy needs no tagging permissions.
        TaggingDirective: 'REPLACE',
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, copies.length)) }, worker));
}

/** An object's text; undefined when it does not exist. Refuses objects larger than `maxBytes`. */
export async function getObjectText(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<string | undefined> {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if ((error as { name?: unknown }).name === 'NoSuchKey') return undefined;
    throw error;
  }
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    (response.Body as { destroy?: () => void } | undefined)?.destroy?.(); // drop the connection instead of reading it
    throw new ObjectTooLargeError();
  }
  return response.Body === undefined ? '' : response.Body.transformToString('utf-8');
}

/** An output file larger than the step reads. */
export class ObjectTooLargeError extends Error {
  constructor() {
    super('The import job output file is larger than the step reads');
    this.name = 'ObjectTooLargeError';
  }
}

/** The first key under `prefix` for which `matches` holds, reading at most `maxPages` pages. */
export async function findKey(
  s3: S3Client,
  bucket: string,
  prefix: string,
  matches: (key: string) => boolean,
  maxPages: number,
): Promise<string | undefined> {
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const listing: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const found = (listing.Contents ?? []).map((object) => object.Key).find((key): key is string => key !== undefined && matches(key));
    if (found !== undefined) return found;
    token = listing.NextContinuationToken;
    if (token === undefined) return undefined;
  }
  return undefined;
}
