/**
 * The Distributed Map's reader and writer with grants to their own prefixes:
 * aws-cdk-lib's grant s3:GetObject / s3:PutObject on every object of the bucket.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STUDIES_PREFIX } from '../../shared/records';

/** Reads a JSON array of batches from a key under `studies/` (chosen at run time). */
export class StudyBatchesReader extends sfn.S3JsonItemReader {
  private readonly derivedBucket: s3.IBucket;

  constructor(bucket: s3.IBucket, keyPath: string) {
    super({ bucket, key: keyPath });
    this.derivedBucket = bucket;
  }

  public providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.derivedBucket.arnForObjects(`${STUDIES_PREFIX}*`)] })];
  }
}

/**
 * aws-cdk-lib renders a V2 result writer only where this feature flag is on;
 * the workflow sets it on its own construct (its subtree only), so consumers'
 * apps need no flag and no deprecated V1 writer.
 */
export const RESULT_WRITER_V2_FLAG = '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2';

/** Writes the map run's child results under one prefix. */
export class MapRunResultWriter extends sfn.ResultWriterV2 {
  private readonly derivedBucket: s3.IBucket;
  private readonly keyPrefix: string;

  constructor(bucket: s3.IBucket, prefix: string) {
    super({ bucket, prefix });
    this.derivedBucket = bucket;
    this.keyPrefix = prefix;
  }

  public providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [this.derivedBucket.arnForObjects(`${this.keyPrefix}*`)],
    })];
  }
}
