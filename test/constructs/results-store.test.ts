import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { newStack } from './fixtures';
import { expectAllEncryptedWith, expectBucketsSecure, expectNoWildcardActions, logicalId } from './template-checks';
import { ResultsStore } from '../../src';
import { EnvVar } from '../../src/shared/env';
import { REVIEW_QUEUE_INDEX_NAME, STATUS_INDEX_NAME } from '../../src/shared/records';
import { expectNoNagFindings } from '../support/nag';

describe('ResultsStore', () => {
  test('creates a retained, protected, PITR table with the status index, encrypted with its key', () => {
    const { stack } = newStack();
    const store = new ResultsStore(stack, 'Store');
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(store.encryptionKey), 'Arn'] } },
        GlobalSecondaryIndexes: [Match.objectLike({
          IndexName: STATUS_INDEX_NAME,
          KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'updatedAt', KeyType: 'RANGE' }],
        }), Match.objectLike({ IndexName: REVIEW_QUEUE_INDEX_NAME })],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    const checked = expectAllEncryptedWith(template, logicalId(store.encryptionKey), [logBucket]);
    expect(checked).toBe(3); // table + two data buckets
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expectBucketsSecure(template);
    template.resourceCountIs('AWS::S3::Bucket', 3);
  });

  test('data buckets use the pipeline key with a bucket key, versioning and access logs', () => {
    const { stack } = newStack();
    const store = new ResultsStore(stack, 'Store');
    const template = Template.fromStack(stack);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    for (const bucket of [store.derivedImagesBucket, store.reportsBucket]) {
      const props = template.toJSON().Resources[logicalId(bucket)].Properties;
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled).toBe(true);
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logBucket });
    }
    // Log delivery by a bucket policy scoped to the source buckets, never an ACL.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(store.derivedImagesBucket), 'Arn'] } } }),
        })]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('LogDeliveryWrite');
  });

  test('uses the given key and creates none', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Given', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new ResultsStore(stack, 'Store', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const logBucket = logicalId(stack.node.findChild('MedicalImagingAccessLogging').node.findChild('Bucket'));
    expect(expectAllEncryptedWith(template, key.keyArn, [logBucket])).toBe(3);
  });

  test('uses an existing table and does not create one', () => {
    const { stack } = newStack();
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'studies');
    const store = new ResultsStore(stack, 'Store', { existingTable: table });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    store.grantReadData(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(store.table).toBe(table);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain(':table/studies');
  });

  test('refuses existingTable together with tableProps', () => {
    const { stack } = newStack();
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'studies');
    expect(() => new ResultsStore(stack, 'Store', { existingTable: table, tableProps: { tableName: 'x' } }))
      .toThrow(/ResultsStore: pass either 'existingTable' or 'tableProps', not both/);
  });

  test('grants are least privilege: exact actions, table/index and studies/ prefix, KMS via service', () => {
    const { stack } = newStack();
    const store = new ResultsStore(stack, 'Store');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    store.grantReadData(role);
    store.grantWriteData(role);
    store.grantWriteDerivedImages(role);
    store.grantReadReports(role);
    const template = Template.fromStack(stack);
    const table = logicalId(store.table as dynamodb.Table);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [
          { 'Fn::GetAtt': [table, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${STATUS_INDEX_NAME}`]] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${REVIEW_QUEUE_INDEX_NAME}`]] },
        ],
      }),
      expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] }),
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(store.derivedImagesBucket), 'Arn'] }, '/studies/*']] },
      }),
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      }),
    ]));
    expectNoWildcardActions(template);
  });

  test('report access patterns: reports of a study (no index) and the review worklist (index only), each an iam.Grant', () => {
    const { stack } = newStack();
    const store = new ResultsStore(stack, 'Store');
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const worklist = new iam.Role(stack, 'Worklist', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(store.grantReadStudyReports(viewer).success).toBe(true);
    expect(store.grantQueryReviewWorklist(worklist).success).toBe(true);
    const template = Template.fromStack(stack);
    const table = logicalId(store.table as dynamodb.Table);
    const policyOf = (role: iam.Role) => Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p: any) => p.Properties.Roles[0].Ref === logicalId(role))!.Properties.PolicyDocument.Statement;
    expect(policyOf(viewer)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: { 'Fn::GetAtt': [table, 'Arn'] } }),
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(store.reportsBucket), 'Arn'] }, '/studies/*']] },
      }),
      expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }),
    ]));
    expect(JSON.stringify(policyOf(viewer))).not.toContain('/index/');
    const worklistStatements = policyOf(worklist);
    expect(worklistStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${REVIEW_QUEUE_INDEX_NAME}`]] },
      }),
    ]));
    expect(JSON.stringify(worklistStatements)).not.toMatch(/s3:|GetItem|StatusIndex/);
    expectNoWildcardActions(template);
  });

  test('the review queue index is keyed for "awaiting review by priority, then deadline" and projects only what the worklist shows', () => {
    const { stack } = newStack();
    new ResultsStore(stack, 'Store');
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table')) as any[];
    const index = table.Properties.GlobalSecondaryIndexes.find((i: any) => i.IndexName === REVIEW_QUEUE_INDEX_NAME);
    expect(index.KeySchema).toEqual([{ AttributeName: 'reviewQueue', KeyType: 'HASH' }, { AttributeName: 'reviewRank', KeyType: 'RANGE' }]);
    expect(index.Projection.ProjectionType).toBe('INCLUDE');
    expect([...index.Projection.NonKeyAttributes].sort()).toEqual(
      ['instanceCount', 'modality', 'priority', 'reviewDeadline', 'reviewOverdue', 'status', 'studyKey', 'updatedAt', 'version']);
    expect(table.Properties.AttributeDefinitions).toEqual(expect.arrayContaining([
      { AttributeName: 'reviewQueue', AttributeType: 'S' }, { AttributeName: 'reviewRank', AttributeType: 'S' },
    ]));
  });

  test('report writers learn the buckets and whether PNG/JPEG studies get an SR (off unless asked)', () => {
    const { stack } = newStack();
    const plain = new ResultsStore(stack, 'Plain');
    const withSr = new ResultsStore(stack, 'WithSr', { structuredReportForImages: true });
    expect(plain.structuredReportForImages).toBe(false);
    expect(plain._reportWriterEnvironment()).toEqual({
      [EnvVar.REPORTS_BUCKET]: plain.reportsBucket.bucketName,
      [EnvVar.DERIVED_BUCKET]: plain.derivedImagesBucket.bucketName,
      [EnvVar.STRUCTURED_REPORT_FOR_IMAGES]: 'false',
    });
    expect(withSr._reportWriterEnvironment()[EnvVar.STRUCTURED_REPORT_FOR_IMAGES]).toBe('true');
  });

  test('passes AwsSolutions, HIPAA and NIST 800-53 R5 checks', () => {
    const { app, stack } = newStack();
    new ResultsStore(stack, 'Store');
    expectNoNagFindings(app);
  });
});
