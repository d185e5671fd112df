/**
 * REJECTED items: one per refused upload, keyed by a keyed hash of where the
 * object was (bucket, key, version). The original key may hold PHI, so it is not stored.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TableContext } from './context';
import { PseudonymNamespace, pseudonymize } from '../../core/pseudonym/pseudonymize';
import { RejectionReasonValue } from '../../shared/events';
import { META_SK, REJECTED_STATUS, rejectedPk } from '../../shared/records';

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

/**
 * Pseudonym of bucket, key and version (or ETag): stable per uploaded object
 * version. Keyed (the pseudonym HMAC), not a plain digest: file names often
 * carry names or record numbers, and an unkeyed hash of a guessable name can
 * be confirmed by anyone who sees the event or the quarantine key.
 */
export function objectHash(location: ObjectLocation, pseudonymKey: Uint8Array): string {
  return pseudonymize(pseudonymKey, PseudonymNamespace.UPLOAD_LOCATION, [location.bucket, location.key, location.versionId ?? location.etag ?? ''].join('\n'));
}

export interface RejectionRecord {
  readonly objectHash: string;
  readonly reasonCode: RejectionReasonValue;
  /** Where the refused object was copied; absent for a referenced object, which is never copied. */
  readonly quarantineBucket?: string;
  readonly quarantineKey?: string;
  readonly sizeBytes?: number;
  readonly updatedAt: string;
}

/** Records the rejection once; a redelivered event leaves the first record as it is. */
export async function recordRejection(ctx: TableContext, record: RejectionRecord): Promise<{ created: boolean }> {
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { PK: rejectedPk(record.objectHash), SK: META_SK, status: REJECTED_STATUS, ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    }));
    return { created: true };
  } catch (error) {
    if (isConditionFailure(error)) {
      return { created: false };
    }
    throw error;
  }
}
