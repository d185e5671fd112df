/**
 * Integration test for what only AWS can show: an object uploaded to the real
 * bucket travels S3 -> EventBridge -> SQS -> ingest Lambda (KMS everywhere,
 * the key policies as synthesized), is quarantined, and recorded REJECTED.
 *
 * On an AWS account: the integ:snapshot task's integ-runner command (.projenrc.ts) with
 * --update-on-failed deploys it, runs the assertions, and rewrites the snapshot.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { synthForIntegRunner } from './integ-schema';
import { callersOf, MedicalImagingPipeline, STATUS_INDEX } from './integ-support';

export function buildIngestQuarantineIntegApp(): App {
  // No stack traces in the metadata: they name this machine's paths, and the snapshot keeps the metadata.
  const app = new App({ stackTraces: false, context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
  const stack = new Stack(app, 'MedicalImagingPipelineIngestInteg');
  const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', { quietPeriod: Duration.minutes(1) });
  const uploadBucket = pipeline.ingest.uploadBucket;
  const table = pipeline.resultsStore.table;

  const integ = new IntegTest(app, 'IngestQuarantine', {
    testCases: [stack],
    diffAssets: false,
    // The snapshot keeps no assets (they are rebuilt by `npx projen bundle`), so it cannot be deployed first.
    stackUpdateWorkflow: false,
  });

  const upload = integ.assertions.awsApiCall('S3', 'putObject', {
    Bucket: uploadBucket.bucketName,
    Key: 'incoming/integ/not-an-image.dcm',
    Body: 'This is a text file with a .dcm name, not DICOM.',
  });

  const rejectedRecord = integ.assertions
    .awsApiCall('DynamoDB', 'query', {
      TableName: table.tableName,
      IndexName: STATUS_INDEX,
      KeyConditionExpression: '#status = :rejected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':rejected': { S: 'REJECTED' } },
    })
    .expect(ExpectedResult.objectLike({
      Items: Match.arrayWith([Match.objectLike({ reasonCode: { S: 'UNSUPPORTED_FORMAT' } })]),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

  const quarantined = integ.assertions
    .awsApiCall('S3', 'listObjectsV2', { Bucket: uploadBucket.bucketName, Prefix: 'quarantine/UNSUPPORTED_FORMAT/' })
    .expect(ExpectedResult.objectLike({ KeyCount: 1 }))
    .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

  upload.next(rejectedRecord).next(quarantined);

  // The assertion functions act as an uploader and an auditor: they need the key too.
  for (const caller of [upload, rejectedRecord, quarantined].flatMap(callersOf)) {
    caller.addToRolePolicy({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [pipeline.encryptionKey.keyArn],
    });
  }

  return app;
}

if (require.main === module) synthForIntegRunner(buildIngestQuarantineIntegApp());
