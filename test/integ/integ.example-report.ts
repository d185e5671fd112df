/**
 * Integration test of the example app on AWS, end to end: a generated DICOM
 * image uploaded to the example stack's bucket is ingested, analysed by the
 * example's analyzers (image quality, the example Lambda, Rekognition), and
 * the study ends COMPLETED with its FHIR and HTML reports in the reports bucket.
 *
 * On an AWS account: the integ:snapshot task's integ-runner command (.projenrc.ts) with
 * --update-on-failed deploys it, runs the assertions, and rewrites the snapshot.
 *
 * Without an account, `npx projen integ:snapshot` checks that the committed
 * snapshot (integ.example-report.ts.snapshot/) is what this file synthesizes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { synthForIntegRunner } from './integ-schema';
import { callersOf, ExampleStack, STATUS_INDEX } from './integ-support';
import { dicomSeries } from '../../scripts/local-runner/dataset';

/** One CT image announcing itself as the whole study, so the study is ready the moment it arrives. */
function writeStudyFile(): { file: string; key: string } {
  const [upload] = dicomSeries({ study: 0, modality: 'CT', slices: 1, size: 128, announceCount: true });
  // Same bytes on every synth (the generator is seeded), so one fixed place will do.
  const dir = path.join(os.tmpdir(), 'cdk-medical-imaging-integ');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'example-report-study.dcm');
  fs.writeFileSync(file, upload.body);
  return { file, key: upload.key };
}

export function buildExampleReportIntegApp(): App {
  // No stack traces in the metadata: they name this machine's paths, and the snapshot keeps the metadata.
  const app = new App({ stackTraces: false, context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
  // The example stack as `cdk deploy` builds it, except that every finding is released
  // automatically: a held study would wait for a clinician (24 h) before its report.
  const stack = new ExampleStack(app, 'MedicalImagingPipelineExampleInteg', { autoReleaseThreshold: 0 });
  const pipeline = stack.pipeline;
  const uploadBucket = pipeline.ingest.uploadBucket;
  const reportsBucket = pipeline.resultsStore.reportsBucket;

  // The DICOM file travels as a file asset (deployed to the bootstrap bucket with the
  // assertion stack) and is copied from there: an SDK call's Body is sent as UTF-8
  // text, which would mangle binary DICOM.
  const assertionStack = new Stack(app, 'MedicalImagingPipelineExampleIntegAssertions');
  const study = writeStudyFile();
  const studyAsset = new Asset(assertionStack, 'StudyFile', { path: study.file });

  const integ = new IntegTest(app, 'ExampleReport', {
    testCases: [stack],
    assertionStack,
    // Handler bundles change with every code change; the templates are what the snapshot guards.
    diffAssets: false,
    // The snapshot keeps no assets (they are rebuilt by `npx projen bundle`), so it cannot be deployed first.
    stackUpdateWorkflow: false,
  });

  const upload = integ.assertions.awsApiCall('S3', 'copyObject', {
    Bucket: uploadBucket.bucketName,
    Key: study.key,
    CopySource: `${studyAsset.s3BucketName}/${studyAsset.s3ObjectKey}`,
  });

  const completed = integ.assertions
    .awsApiCall('DynamoDB', 'query', {
      TableName: pipeline.resultsStore.table.tableName,
      IndexName: STATUS_INDEX,
      KeyConditionExpression: '#status = :completed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':completed': { S: 'COMPLETED' } },
    })
    .expect(ExpectedResult.objectLike({
      Items: Match.arrayWith([Match.objectLike({ version: { N: '1' }, instanceCount: { N: '1' }, reportRevision: { N: '1' } })]),
    }))
    // Ingest, the workflow's analyzers and the reports take a few minutes; a cold start or a retry a few more.
    .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) });

  const reports = integ.assertions
    .awsApiCall('S3', 'listObjectsV2', { Bucket: reportsBucket.bucketName, Prefix: 'studies/' })
    .expect(ExpectedResult.objectLike({
      Contents: Match.arrayWith([
        Match.objectLike({ Key: Match.stringLikeRegexp('/reports/v1/r1/diagnostic-report\\.json$') }),
        Match.objectLike({ Key: Match.stringLikeRegexp('/reports/v1/r1/fhir-bundle\\.json$') }),
        Match.objectLike({ Key: Match.stringLikeRegexp('/reports/v1/r1/report\\.html$') }),
      ]),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

  upload.next(completed).next(reports);

  // The upload reads the staged file and writes the object (KMS-encrypted by the bucket's
  // default key); the study query reads the table, encrypted with the same key.
  upload.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [studyAsset.bucket.arnForObjects(studyAsset.s3ObjectKey)],
  });
  upload.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['s3:PutObject'],
    Resource: [uploadBucket.arnForObjects(study.key)],
  });
  upload.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [pipeline.encryptionKey.keyArn] });
  for (const caller of callersOf(completed)) {
    caller.addToRolePolicy({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [pipeline.encryptionKey.keyArn] });
  }

  return app;
}

if (require.main === module) synthForIntegRunner(buildExampleReportIntegApp());
