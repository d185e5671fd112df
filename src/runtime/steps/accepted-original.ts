/**
 * What ingest does with an accepted upload once its instance is recorded:
 * delete it, move it under the archive prefix (named by the keyed object hash,
 * so the upload file name, which may name the patient, does not survive), or
 * keep it. Runs last, so a failure before it is repaired by the redelivered
 * message, and a redelivery after it finds the object gone (OBJECT_GONE).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { UploadedObject } from './s3-event';
import { OriginalHandling } from '../../shared/originals';
import { copyObject, deleteObject } from '../storage/objects';

export interface AcceptedOriginalSettings {
  readonly handling: OriginalHandling;
  /** Where ARCHIVE moves originals (`<archivePrefix><object hash>`). */
  readonly archivePrefix: string;
}

/** The library default: only the de-identified copy outlives the ingest (README "Data lifecycle"). */
export const DEFAULT_ACCEPTED_ORIGINALS: AcceptedOriginalSettings = { handling: OriginalHandling.DELETE, archivePrefix: 'archive/' };

export async function handleAcceptedOriginal(
  s3: S3Client,
  object: UploadedObject,
  settings: AcceptedOriginalSettings,
  objectHash: () => Promise<string>,
): Promise<void> {
  if (settings.handling === OriginalHandling.KEEP) return;
  if (settings.handling === OriginalHandling.ARCHIVE) {
    await copyObject(s3, object, `${settings.archivePrefix}${await objectHash()}`);
  }
  await deleteObject(s3, object);
}

/** Reads the handling from its environment value; unknown values fail fast rather than keep PHI by accident. */
export function originalHandlingFrom(value: string | undefined): OriginalHandling {
  if (value === undefined || value === '') return OriginalHandling.DELETE;
  const known = Object.values(OriginalHandling) as string[];
  if (!known.includes(value)) throw new Error(`ORIGINAL_HANDLING must be one of ${known.join(', ')}`);
  return value as OriginalHandling;
}
