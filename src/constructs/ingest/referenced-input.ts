import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ReferencedSource } from './referenced-source';
import { EnvVar } from '../../shared/env';
import { DetailType } from '../../shared/events';
import { grantKeyViaService, grantObjectPrefix, KeyUse } from '../helpers/grants';
import { RuleOnlyQueueTarget } from '../helpers/queue-target';

export interface ReferencedInputWiring {
  readonly ingestFunction: lambda.Function;
  readonly ingestQueue: sqs.Queue;
  readonly eventBus: events.IEventBus;
  readonly uploadBucket: s3.IBucket;
  readonly uploadPrefix: string;
  readonly sources: readonly ReferencedSource[];
  readonly maxObjectsPerRequest: number;
}

/**
 * `Analysis Requested` on the pipeline bus -> the ingest queue, where the same
 * function ingests the named object (read only) or fans a prefix out into one
 * message per object. Reads are granted on the upload prefix and each source's
 * prefix only; listing only under those prefixes.
 */
export function wireReferencedInput(scope: Construct, wiring: ReferencedInputWiring): events.Rule {
  const fn = wiring.ingestFunction;
  const rule = new events.Rule(scope, 'AnalysisRequestedRule', {
    description: 'Routes Analysis Requested events (a stored object or prefix to ingest) to the ingest queue',
    eventBus: wiring.eventBus,
    // The study form (a stored study to analyse again) is the re-analysis' (StudyReanalysis), not ingest's.
    eventPattern: { detailType: [DetailType.ANALYSIS_REQUESTED], detail: { studyKey: [{ exists: false }] } },
    targets: [new RuleOnlyQueueTarget(wiring.ingestQueue)],
  });
  const sources = wiring.sources.map((source) => ({ bucket: source.bucket, prefix: source.keyPrefix ?? '' }));
  fn.addEnvironment(EnvVar.INGEST_QUEUE_URL, wiring.ingestQueue.queueUrl);
  fn.addEnvironment(EnvVar.MAX_OBJECTS_PER_REQUEST, String(wiring.maxObjectsPerRequest));
  if (sources.length > 0) {
    const configured = sources.map((source) => ({ bucket: source.bucket.bucketName, prefix: source.prefix }));
    fn.addEnvironment(EnvVar.REFERENCED_SOURCES, JSON.stringify(configured));
  }
  // A prefix fans out into the queue the function itself reads (SendMessageBatch is authorized as SendMessage).
  iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: [wiring.ingestQueue.queueArn] });
  grantKeyViaService(fn, wiring.ingestQueue.encryptionMasterKey, 'sqs', KeyUse.ENCRYPT_DECRYPT);
  grantListUnderPrefix(fn, wiring.uploadBucket, wiring.uploadPrefix);
  for (const source of sources) {
    grantObjectPrefix(fn, source.bucket.bucketArn, source.prefix, ['s3:GetObject', 's3:GetObjectVersion'],
      'the ingest function reads objects an Analysis Requested event names inside this referenced source (read only).');
    grantListUnderPrefix(fn, source.bucket, source.prefix);
    grantKeyViaService(fn, source.bucket.encryptionKey, 's3', KeyUse.DECRYPT);
  }
  return rule;
}

/** s3:ListBucket on the bucket, only for listings under the prefix (the s3:prefix condition). */
function grantListUnderPrefix(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    ...(prefix === '' ? {} : { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
  });
}
