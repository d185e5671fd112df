import * as s3 from 'aws-cdk-lib/aws-s3';

/** A bucket (and key prefix in it) that `Analysis Requested` events may point the pipeline at. */
export interface ReferencedSource {
  /**
   * The bucket. Import it with its `encryptionKey` when it is KMS-encrypted, so
   * the ingest function may decrypt its objects (through S3 only).
   */
  readonly bucket: s3.IBucket;
  /**
   * Only objects under this key prefix may be requested.
   * @default '' (the whole bucket)
   */
  readonly keyPrefix?: string;
}
