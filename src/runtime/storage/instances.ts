/** INSTANCE items: one per de-identified image, written once. */
import { GetCommand, PutCommand, QueryCommand, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TableContext } from './context';
import { DeidentifiedUids } from '../../shared/analyzer-result';
import { INSTANCE_SK_PREFIX, instanceSk, studyPk } from '../../shared/records';

export interface InstanceRecord {
  readonly studyKey: string;
  readonly seriesKey: string;
  readonly instanceKey: string;
  readonly kind: string;
  readonly modality: string;
  readonly width: number;
  readonly height: number;
  readonly analysisWidth: number;
  readonly analysisHeight: number;
  readonly previewKey: string;
  readonly analysisKey: string;
  readonly metadataKey: string;
  readonly sourceSha256: string;
  /** DICOM burned-in annotation flag, when the file states it. */
  readonly burnedInAnnotation?: boolean;
  /** Key of the de-identified DICOM (Part 10) in the derived bucket; DICOM input only. */
  readonly dicomKey?: string;
  /** UIDs of that de-identified DICOM (what reports reference); DICOM input only. */
  readonly dicomUids?: DeidentifiedUids;
  /** Set when burned-in text is suspected and the policy is FLAG_FOR_REVIEW: the study must be reviewed. */
  readonly requiresReview?: boolean;
  /** DICOM Body Part Examined (upper case), SOP Class UID and Instance Number: what analyzers route and select on. */
  readonly bodyPart?: string;
  readonly sopClassUid?: string;
  readonly instanceNumber?: number;
  /** ISO-8601 time of the first successful write; never changes afterwards. */
  readonly receivedAt: string;
}

export interface RecordInstanceResult {
  /** False when the instance was already recorded (duplicate event or re-upload). */
  readonly created: boolean;
  /** The stored record: the new one, or the one written first. */
  readonly record: InstanceRecord;
}

/** Writes the instance unless it exists; a duplicate changes nothing and returns the original. */
export async function recordInstance(ctx: TableContext, record: InstanceRecord): Promise<RecordInstanceResult> {
  const key = { PK: studyPk(record.studyKey), SK: instanceSk(record.seriesKey, record.instanceKey) };
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { ...key, ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    }));
    return { created: true, record };
  } catch (error) {
    if (!isConditionFailure(error)) {
      throw error;
    }
  }
  const existing = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }));
  return { created: false, record: toInstance(existing.Item ?? {}) };
}

/** Every instance of a study, ordered by series and instance key. */
export async function listInstances(ctx: TableContext, studyKey: string): Promise<InstanceRecord[]> {
  const items: InstanceRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': INSTANCE_SK_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    items.push(...(page.Items ?? []).map(toInstance));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** Number of instances of a study (a COUNT query: no item data is read into memory). */
export async function countInstances(ctx: TableContext, studyKey: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      Select: 'COUNT',
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': INSTANCE_SK_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

function toInstance(item: Record<string, unknown>): InstanceRecord {
  const { PK: _pk, SK: _sk, ...rest } = item;
  return rest as unknown as InstanceRecord;
}
