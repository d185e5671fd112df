/**
 * Look-ups of a study's images by reference (`<seriesKey>/<instanceKey>`), for
 * the review API: single items and a short first page, never the whole study.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TableContext } from './context';
import { InstanceRecord } from './instances';
import { INSTANCE_SK_PREFIX, instanceSk, studyPk } from '../../shared/records';

const IMAGE_REF = /^([a-z0-9]{1,64})\/([a-z0-9]{1,64})$/;

/** The instance an image reference names, or undefined (also for a malformed reference). */
export async function getImage(ctx: TableContext, studyKey: string, imageRef: string): Promise<InstanceRecord | undefined> {
  const parts = IMAGE_REF.exec(imageRef);
  if (parts === null) return undefined;
  const result = await ctx.doc.send(new GetCommand({
    TableName: ctx.tableName,
    Key: { PK: studyPk(studyKey), SK: instanceSk(parts[1], parts[2]) },
  }));
  return result.Item as InstanceRecord | undefined;
}

/** The first `limit` instances of a study (by series and instance key). */
export async function firstImages(ctx: TableContext, studyKey: string, limit: number): Promise<InstanceRecord[]> {
  const page = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': INSTANCE_SK_PREFIX },
    Limit: limit,
  }));
  return (page.Items ?? []) as InstanceRecord[];
}
