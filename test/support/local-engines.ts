/**
 * Real local engines for handler tests: dynalite (DynamoDB) and s3rver (S3),
 * both on loopback with OS-assigned ports, plus clients pointed at them.
 */
import { mkdtempSync, rmSync } from 'fs';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { REVIEW_QUEUE_INDEX_NAME, REVIEW_QUEUE_PROJECTION, ReviewQueueAttr, STATUS_INDEX_NAME, TableAttr } from '../../src/shared/records';

interface S3rverInstance {
  httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type DynaliteFactory = (options: Record<string, unknown>) => Server;

// Neither package ships type definitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as S3rverConstructor;

export const TEST_REGION = 'us-east-1';
const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalEngines {
  readonly tableName: string;
  readonly buckets: { readonly upload: string; readonly derived: string; readonly reports: string };
  readonly dynamodb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  stop(): Promise<void>;
}

let tableCounter = 0;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Starts both engines, creates the results table and the three buckets. */
export async function startLocalEngines(): Promise<LocalEngines> {
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamoServer);

  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const buckets = { upload: 'upload-bucket', derived: 'derived-bucket', reports: 'reports-bucket' };
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [],
  });
  const s3Address = await s3rver.run();

  const dynamodb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${dynamoPort}`,
    region: TEST_REGION,
    credentials: FAKE_CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Address.port}`,
    region: TEST_REGION,
    credentials: FAKE_CREDENTIALS,
    forcePathStyle: true,
  });

  tableCounter += 1;
  const tableName = `results-${tableCounter}`;
  await dynamodb.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TableAttr.PK, AttributeType: 'S' },
      { AttributeName: TableAttr.SK, AttributeType: 'S' },
      { AttributeName: TableAttr.STATUS, AttributeType: 'S' },
      { AttributeName: TableAttr.UPDATED_AT, AttributeType: 'S' },
      { AttributeName: ReviewQueueAttr.QUEUE, AttributeType: 'S' },
      { AttributeName: ReviewQueueAttr.RANK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TableAttr.PK, KeyType: 'HASH' },
      { AttributeName: TableAttr.SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: STATUS_INDEX_NAME,
      KeySchema: [
        { AttributeName: TableAttr.STATUS, KeyType: 'HASH' },
        { AttributeName: TableAttr.UPDATED_AT, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }, {
      // As the ResultsStore creates it: sparse, keys and the worklist's attributes only.
      IndexName: REVIEW_QUEUE_INDEX_NAME,
      KeySchema: [
        { AttributeName: ReviewQueueAttr.QUEUE, KeyType: 'HASH' },
        { AttributeName: ReviewQueueAttr.RANK, KeyType: 'RANGE' },
      ],
      Projection: {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: [...REVIEW_QUEUE_PROJECTION],
      },
    }],
  }));
  for (const bucket of Object.values(buckets)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  return {
    tableName,
    buckets,
    dynamodb,
    doc,
    s3,
    async stop() {
      doc.destroy();
      dynamodb.destroy();
      s3.destroy();
      await closeServer(dynamoServer);
      if (s3rver.httpServer) {
        s3rver.httpServer.closeAllConnections?.();
      }
      await s3rver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
