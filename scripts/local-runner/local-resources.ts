/**
 * The template's DynamoDB tables and S3 buckets, created on the local engines,
 * and the clients the runner itself reads and writes them with.
 */
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand, ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { EngineEndpoints, FAKE_CREDENTIALS, HARNESS_USER_AGENT } from './engines';
import { CfnTemplate, LOCAL_REGION, LocalNames, resourcesOfType } from './template';

export interface StudyItem {
  readonly [key: string]: unknown;
  readonly PK: string;
  readonly SK: string;
}

export class LocalResources {
  private readonly dynamodb: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly s3: S3Client;

  constructor(endpoints: EngineEndpoints) {
    const client = { region: LOCAL_REGION, credentials: FAKE_CREDENTIALS, customUserAgent: HARNESS_USER_AGENT };
    this.dynamodb = new DynamoDBClient({ ...client, endpoint: endpoints.dynamodb });
    this.doc = DynamoDBDocumentClient.from(this.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
    this.s3 = new S3Client({ ...client, endpoint: endpoints.s3, forcePathStyle: true });
  }

  /** Creates every table and bucket of the template; those already on disk are kept. */
  public async create(template: CfnTemplate, names: LocalNames): Promise<void> {
    for (const [id, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
      const p = names.resolve(table.Properties) as Record<string, unknown>;
      try {
        await this.dynamodb.send(new CreateTableCommand({
          TableName: String(p.TableName ?? names.ref(id)),
          AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
          KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
          LocalSecondaryIndexes: p.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'],
          BillingMode: (p.BillingMode as CreateTableCommandInput['BillingMode']) ?? 'PAY_PER_REQUEST',
        }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    for (const [id] of resourcesOfType(template, 'AWS::S3::Bucket')) await this.ensureBucket(names.ref(id));
  }

  /** Creates the bucket unless it exists. */
  public async ensureBucket(bucket: string): Promise<void> {
    try {
      await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (!(error instanceof Error && /BucketAlready/.test(error.name))) throw error;
    }
  }

  public async putObject(bucket: string, key: string, body: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  public async deleteObject(bucket: string, key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  public async getObject(bucket: string, key: string): Promise<Buffer> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }

  /** Every item of a table (small local data sets only). */
  public async scan(tableName: string): Promise<StudyItem[]> {
    const items: StudyItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.doc.send(new ScanCommand({
        TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true,
      }));
      items.push(...(page.Items ?? []) as StudyItem[]);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  public destroy(): void {
    this.doc.destroy();
    this.dynamodb.destroy();
    this.s3.destroy();
  }
}
