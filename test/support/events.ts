/** Builders for the events handlers receive. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly versionId?: string;
}

/** An SQS record whose body is the EventBridge "Object Created" event S3 sends. */
export function objectCreatedRecord(messageId: string, object: ObjectCreated): SQSRecord {
  const body = {
    'version': '0',
    'id': `event-${messageId}`,
    'detail-type': 'Object Created',
    'source': 'aws.s3',
    'account': '111122223333',
    'time': '2025-01-01T00:00:00Z',
    'region': 'us-east-1',
    'resources': [`arn:aws:s3:::${object.bucket}`],
    'detail': {
      version: '0',
      bucket: { name: object.bucket },
      object: { 'key': object.key, 'size': object.size, 'etag': object.etag ?? `etag-${messageId}`, 'version-id': object.versionId },
      reason: 'PutObject',
    },
  };
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:ingest',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
