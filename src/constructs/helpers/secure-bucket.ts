import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  readonly encryptionKey: kms.IKey;
  /** Send object events to EventBridge (the upload bucket needs it). @default false */
  readonly eventBridgeEnabled?: boolean;
  /**
   * Expire noncurrent object versions (overwritten or deleted objects) after this long.
   * @default DEFAULT_NONCURRENT_VERSION_RETENTION (30 days)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /** Lifecycle rules of the bucket's own data (quarantine, archive...), beside the noncurrent-version rule. @default - none */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Deployer overrides (name, lifecycle, CORS...). Encryption, TLS, public
   * access and access logging are always the secure values below.
   * @default - none
   */
  readonly overrides?: s3.BucketProps;
}

const ACCESS_LOGGING_ID = 'MedicalImagingAccessLogging';

/**
 * How long an overwritten or deleted object stays recoverable in a versioned
 * bucket: long enough to undo an operator's mistake, short enough that a
 * "deleted" upload (which may hold PHI) does not live on for years.
 */
export const DEFAULT_NONCURRENT_VERSION_RETENTION = Duration.days(30);

/** How long S3 server access logs (which name every object key) are kept. */
export const DEFAULT_ACCESS_LOG_RETENTION = Duration.days(365);

/**
 * A data bucket: SSE-KMS with the pipeline key and a bucket key, TLS only
 * (TLS 1.2+), all public access blocked, versioned, retained, server access
 * logs to the stack's shared access-log bucket.
 */
export function createSecureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  const overrides = props.overrides ?? {};
  const bucket = new s3.Bucket(scope, id, {
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...overrides,
    // Every versioned bucket expires noncurrent versions; the deployer's rules come on top.
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions',
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? DEFAULT_NONCURRENT_VERSION_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
        // Clears the delete marker once its last noncurrent version has expired.
        expiredObjectDeleteMarker: true,
      },
      ...props.lifecycleRules ?? [],
      ...overrides.lifecycleRules ?? [],
    ],
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Set on the CfnBucket below instead: the L2 flag deploys a notification custom-resource Lambda.
    eventBridgeEnabled: false,
    serverAccessLogsBucket: accessLogBucket(scope),
    serverAccessLogsPrefix: `${id}/`,
  });
  if (props.eventBridgeEnabled || overrides.eventBridgeEnabled) {
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
  acknowledgeReplication(bucket);
  return bucket;
}

const accessLogRetention = new WeakMap<s3.Bucket, Duration>();

/**
 * The one access-log bucket of the stack that holds `scope`, created on first use.
 *
 * S3 server access log delivery does not support SSE-KMS on the target bucket
 * (AWS S3 User Guide, "Enabling Amazon S3 server access logging": only SSE-S3
 * default encryption is supported), so this bucket uses SSE-S3 and the KMS
 * rules are acknowledged on it alone.
 */
export function accessLogBucket(scope: Construct, retention?: Duration): s3.Bucket {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ACCESS_LOGGING_ID);
  if (existing) {
    const bucket = existing.node.findChild('Bucket') as s3.Bucket;
    const kept = accessLogRetention.get(bucket)!;
    if (retention !== undefined && retention.toDays() !== kept.toDays()) {
      throw new Error(`The stack's access-log bucket already keeps logs ${kept.toDays()} days; pass one accessLogRetention per stack.`);
    }
    return bucket;
  }
  // Log delivery through a bucket policy scoped to each source bucket, never
  // the legacy LogDeliveryWrite ACL, whatever the app's feature flags say.
  const holder = new Construct(stack, ACCESS_LOGGING_ID);
  holder.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
  const bucket = new s3.Bucket(holder, 'Bucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'expire-access-logs',
      expiration: retention ?? DEFAULT_ACCESS_LOG_RETENTION,
      // Log objects are never overwritten; a noncurrent version only follows an expiry or a delete.
      noncurrentVersionExpiration: Duration.days(1),
    }],
  });
  accessLogRetention.set(bucket, retention ?? DEFAULT_ACCESS_LOG_RETENTION);
  const v = Validations.of(bucket);
  const kmsReason =
    'S3 server access log delivery only supports SSE-S3 on the target bucket; with SSE-KMS the logs are not delivered, so this log-only bucket uses SSE-S3 (AES-256).';
  v.acknowledge({ id: 'HIPAA.Security-S3DefaultEncryptionKMS', reason: kmsReason });
  v.acknowledge({ id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: kmsReason });
  const selfLog =
    'This is the access-log target of every pipeline bucket; logging it into itself would log its own log deliveries in an endless loop.';
  v.acknowledge({ id: 'AwsSolutions-S1', reason: selfLog });
  v.acknowledge({ id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: selfLog });
  v.acknowledge({ id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: selfLog });
  acknowledgeReplication(bucket);
  return bucket;
}

function acknowledgeReplication(bucket: s3.Bucket): void {
  const reason =
    'Cross-region replication needs a destination bucket and key in another region that only the deployer can choose; versioning plus RETAIN give in-region recovery, and replication can be added to the exposed bucket.';
  Validations.of(bucket).acknowledge(
    { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason },
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason },
  );
}
