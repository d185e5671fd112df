/**
 * REJECTED items: one per refused upload, keyed by a hash of where the object
 * was (bucket, key, version). The original key may hold PHI, so it is not stored.
 */
import { createHash } from 'crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TableContext } from './context';
import { RejectionReasonValue } from '../shared/events';
import { META_SK, REJECTED_STATUS, rejectedPk } from '../shared/records';

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

/** SHA-256 (hex) of bucket, key and version (or ETag): stable per uploaded object version. */
export function objectHash(location: ObjectLocation): string {
  return createHash('sha256')
    .update([location.bucket, location.key, location.versionId ?? location.etag ?? ''].join('\n'))
    .digest('hex');
}

export interface RejectionRecord {
  readonly objectHash: string;
  readonly reasonCode: RejectionReasonValue;
  readonly quarantineBucket: string;
  readonly quarantineKey: string;
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
