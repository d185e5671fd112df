import * as iam from 'aws-cdk-lib/aws-iam';
import { AnalyzerBindOptions } from './image-analyzer';
import { STUDIES_PREFIX } from '../../shared/records';
import { grantKeyViaService, grantObjectPrefix, KeyUse } from '../helpers/grants';

/** Read-only access to study objects: no listing, no other prefixes, no writes; the key only through S3. */
export function grantReadDerivedImages(grantee: iam.IGrantable, options: AnalyzerBindOptions): void {
  const bucket = options.derivedImagesBucket;
  grantObjectPrefix(grantee, bucket.bucketArn, STUDIES_PREFIX, ['s3:GetObject'], 'the analyzer reads de-identified derived images of studies.');
  grantKeyViaService(grantee, bucket.encryptionKey ?? options.encryptionKey, 's3', KeyUse.DECRYPT);
}
