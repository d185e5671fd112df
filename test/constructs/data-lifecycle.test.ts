import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { newStack } from './fixtures';
import { logicalId } from './template-checks';
import { ClinicianNotifier, ImagingIngest, MedicalImagingPipeline, OriginalHandling, PhiLogProtection, ResultsStore } from '../../src';
import { DATE_OF_BIRTH_PATTERN, MEDICAL_RECORD_NUMBER_PATTERN } from '../../src/constructs/helpers/log-group';

type Rule = Record<string, any>;

function pipelineTemplate(props: ConstructorParameters<typeof MedicalImagingPipeline>[2] = {}) {
  const { stack } = newStack();
  const pipeline = new MedicalImagingPipeline(stack, 'Pipeline', props);
  return { stack, pipeline, template: Template.fromStack(stack) };
}

function rulesOf(template: Template, bucketLogicalId: string): Rule[] {
  return template.toJSON().Resources[bucketLogicalId].Properties.LifecycleConfiguration?.Rules ?? [];
}

function ingestEnv(template: Template, pipeline: MedicalImagingPipeline): Record<string, string> {
  return template.toJSON().Resources[logicalId(pipeline.ingest.ingestFunction)].Properties.Environment.Variables;
}

describe('data lifecycle', () => {
  test('every versioned bucket expires noncurrent versions (30 days by default) and aborts stale multipart uploads', () => {
    const { template } = pipelineTemplate();
    const buckets = Object.entries(template.findResources('AWS::S3::Bucket'));
    expect(buckets.length).toBeGreaterThanOrEqual(4);
    for (const [id, bucket] of buckets) {
      expect({ id, versioned: bucket.Properties.VersioningConfiguration?.Status }).toEqual({ id, versioned: 'Enabled' });
      const noncurrent = rulesOf(template, id).find((r) => r.NoncurrentVersionExpiration !== undefined && r.Prefix === undefined);
      expect({ id, days: noncurrent?.NoncurrentVersionExpiration.NoncurrentDays }).toEqual({ id, days: expect.any(Number) });
      expect(noncurrent!.Status).toBe('Enabled');
    }
    const upload = logicalId(pipelineTemplate().pipeline.ingest.uploadBucket as s3.Bucket);
    expect(rulesOf(template, upload)).toContainEqual(expect.objectContaining({
      Id: 'expire-noncurrent-versions',
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      ExpiredObjectDeleteMarker: true,
    }));
  });

  test('accepted originals are deleted by default; quarantine expires after 30 days; access logs after 365 days', () => {
    const { template, pipeline } = pipelineTemplate();
    expect(ingestEnv(template, pipeline).ORIGINAL_HANDLING).toBe(OriginalHandling.DELETE);
    expect(ingestEnv(template, pipeline).ARCHIVE_PREFIX).toBeUndefined();
    const upload = logicalId(pipeline.ingest.uploadBucket as s3.Bucket);
    expect(rulesOf(template, upload)).toContainEqual(expect.objectContaining({
      Id: 'expire-quarantined-uploads', Prefix: 'quarantine/', ExpirationInDays: 30, Status: 'Enabled',
    }));
    expect(rulesOf(template, upload).some((r) => r.Id === 'expire-archived-originals')).toBe(false);
    const [logBucket] = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('MedicalImagingAccessLogging'))!;
    expect(rulesOf(template, logBucket)).toContainEqual(expect.objectContaining({
      Id: 'expire-access-logs', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    }));
  });

  test('every period is a prop; ARCHIVE moves originals under the archive prefix, with its own expiry and put grant', () => {
    const { template, pipeline } = pipelineTemplate({
      dataLifecycle: {
        acceptedOriginals: OriginalHandling.ARCHIVE,
        archivePrefix: 'kept/',
        archiveRetention: Duration.days(90),
        quarantineRetention: Duration.days(7),
        noncurrentVersionRetention: Duration.days(3),
        accessLogRetention: Duration.days(2190),
      },
    });
    expect(ingestEnv(template, pipeline)).toMatchObject({ ORIGINAL_HANDLING: 'ARCHIVE', ARCHIVE_PREFIX: 'kept/' });
    const upload = logicalId(pipeline.ingest.uploadBucket as s3.Bucket);
    const rules = rulesOf(template, upload);
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-archived-originals', Prefix: 'kept/', ExpirationInDays: 90 }));
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-quarantined-uploads', ExpirationInDays: 7 }));
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 3 } }));
    const reports = logicalId(pipeline.resultsStore.reportsBucket as s3.Bucket);
    expect(rulesOf(template, reports)).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 3 } }));
    const [logBucket] = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('MedicalImagingAccessLogging'))!;
    expect(rulesOf(template, logBucket)).toContainEqual(expect.objectContaining({ ExpirationInDays: 2190 }));
    const policy = JSON.stringify(template.toJSON().Resources[logicalId(pipeline.ingest.ingestFunction.role!.node.findChild('DefaultPolicy'))]);
    expect(policy).toContain('/kept/*');
  });

  test('an archive prefix overlapping the upload prefix, or two access-log retentions in one stack, are refused', () => {
    expect(() => pipelineTemplate({ dataLifecycle: { acceptedOriginals: OriginalHandling.ARCHIVE, archivePrefix: 'incoming/archive/' } }))
      .toThrow(/archivePrefix 'incoming\/archive\/' must not overlap/);
    const { stack } = newStack();
    const resultsStore = new ResultsStore(stack, 'Store');
    const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
    expect(() => new ImagingIngest(stack, 'Ingest', { resultsStore, notifier, dataLifecycle: { accessLogRetention: Duration.days(30) } }))
      .toThrow(/already keeps logs 365 days/);
  });
});

describe('PHI masking in every log group', () => {
  test('every log group masks the documented identifiers, beyond the US set, plus the ones a deployer adds', () => {
    const accession = new logs.CustomDataIdentifier('AccessionNumber', 'ACC[0-9]{8}');
    const { template } = pipelineTemplate({ additionalLogDataIdentifiers: [accession] });
    const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(10);
    for (const [id, group] of groups) {
      const policy = group.Properties.DataProtectionPolicy;
      const audited = JSON.stringify(policy.Statement[0].DataIdentifier);
      for (const name of ['Name', 'Address', 'NhsNumber-GB', 'PersonalHealthNumber-CA', 'HealthInsuranceCardNumber-EU', 'Ssn-US']) {
        expect({ id, name, present: audited.includes(name) }).toEqual({ id, name, present: true });
      }
      const custom = (policy.Configuration.CustomDataIdentifier as Array<{ Name: string }>).map((c) => c.Name);
      expect({ id, custom }).toEqual({ id, custom: ['DateOfBirth', 'MedicalRecordNumber', 'AccessionNumber'] });
    }
    expect(PhiLogProtection.dataIdentifierNames()).toEqual(expect.arrayContaining(['DateOfBirth', 'MedicalRecordNumber', 'NhsNumber-GB']));
  });

  test('the custom identifiers find dates of birth and record numbers, and leave other dates and numbers alone', () => {
    const dob = new RegExp(DATE_OF_BIRTH_PATTERN);
    const mrn = new RegExp(MEDICAL_RECORD_NUMBER_PATTERN);
    for (const line of ['PatientBirthDate=19610312', 'DOB: 1961-03-12', 'date of birth 12/03/1961']) expect({ line, hit: dob.test(line) }).toEqual({ line, hit: true });
    for (const line of ['StudyDate=20240501', 'retained 30 days']) expect({ line, hit: dob.test(line) }).toEqual({ line, hit: false });
    for (const line of ['MRN 00123456', 'medical record number: AB-99812']) expect({ line, hit: mrn.test(line) }).toEqual({ line, hit: true });
    for (const line of ['instance 00123456', 'record saved']) expect({ line, hit: mrn.test(line) }).toEqual({ line, hit: false });
  });
});
