/** Studies with de-identified DICOM in the local engines, and the output HealthImaging import jobs write. */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { recordInstance, recordStudyArrival, TableContext } from '../../../../src/runtime/storage';
import { healthImagingOutputPrefix, instancePrefix, instanceSk } from '../../../../src/shared/records';

export const DATASTORE_ID = 'd'.repeat(32);
export const ROLE_ARN = 'arn:aws:iam::111122223333:role/health-imaging-access';
export const STAGING_BUCKET = 'staging-bucket';
export const IMAGE_SET_A = 'a1'.repeat(16);
export const IMAGE_SET_B = 'b2'.repeat(16);

export async function createStagingBucket(s3: S3Client): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: STAGING_BUCKET }));
}

/** Fake Part 10 bytes: a preamble and the DICM magic, then the instance key (so copies can be told apart). */
export function dicomBytes(instanceKey: string): Buffer {
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from(instanceKey)]);
}

export interface SeededStudy {
  readonly studyKey: string;
  /** `<seriesKey>/<instanceKey>` of each DICOM instance. */
  readonly dicom: string[];
}

/**
 * A study with `dicom` DICOM instances (their `instance.dcm` in the derived bucket)
 * spread over two series, and `plain` PNG instances without DICOM.
 */
export async function seedStudy(
  table: TableContext,
  s3: S3Client,
  derivedBucket: string,
  studyKey: string,
  counts: { dicom: number; plain?: number },
): Promise<SeededStudy> {
  const dicom: string[] = [];
  const total = counts.dicom + (counts.plain ?? 0);
  for (let i = 0; i < total; i++) {
    const seriesKey = `series${i % 2}`;
    const instanceKey = `inst${String(i).padStart(3, '0')}`;
    const isDicom = i < counts.dicom;
    const prefix = instancePrefix(studyKey, seriesKey, instanceKey);
    const receivedAt = new Date(Date.UTC(2025, 3, 1, 8, 0, i)).toISOString();
    if (isDicom) {
      await s3.send(new PutObjectCommand({ Bucket: derivedBucket, Key: `${prefix}instance.dcm`, Body: dicomBytes(instanceKey) }));
      dicom.push(`${seriesKey}/${instanceKey}`);
    }
    await recordInstance(table, {
      studyKey,
      seriesKey,
      instanceKey,
      kind: isDicom ? 'dicom' : 'png',
      modality: isDicom ? 'CT' : 'OT',
      width: 2,
      height: 2,
      analysisWidth: 2,
      analysisHeight: 2,
      previewKey: `${prefix}preview.png`,
      analysisKey: `${prefix}analysis.png`,
      metadataKey: `${prefix}metadata.json`,
      sourceSha256: '0'.repeat(64),
      ...(isDicom ? { dicomKey: `${prefix}instance.dcm` } : {}),
      receivedAt,
    });
    await recordStudyArrival(table, {
      studyKey,
      instanceSk: instanceSk(seriesKey, instanceKey),
      arrivedAt: receivedAt,
      singleImage: false,
      now: receivedAt,
    });
  }
  return { studyKey, dicom };
}

export interface JobOutputFiles {
  readonly manifest?: Record<string, unknown>;
  readonly success?: string;
  readonly failure?: string;
  /** Folder under the version's output prefix; default `<datastoreId>-DicomImport-<jobId>/` (what HealthImaging writes). */
  readonly folder?: string;
}

/** Writes a job's output as HealthImaging does; returns the job's `outputS3Uri` (its own folder). */
export async function writeJobOutput(s3: S3Client, studyKey: string, version: number, jobId: string, files: JobOutputFiles): Promise<string> {
  const folder = `${healthImagingOutputPrefix(studyKey, version)}${files.folder ?? `${DATASTORE_ID}-DicomImport-${jobId}/`}`;
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: STAGING_BUCKET, Key: `${folder}${key}`, Body: body }));
  if (files.manifest) await put('job-output-manifest.json', JSON.stringify({ jobSummary: { jobId, datastoreId: DATASTORE_ID, ...files.manifest } }));
  if (files.success !== undefined) await put('SUCCESS/success.ndjson', files.success);
  if (files.failure !== undefined) await put('FAILURE/failure.ndjson', files.failure);
  return `s3://${STAGING_BUCKET}/${folder}`;
}

/** One success.ndjson line per staged file, as HealthImaging writes it. */
export function successLines(studyKey: string, entries: Array<[file: string, imageSetId: string]>): string {
  return entries.map(([file, imageSetId]) => JSON.stringify({
    inputFile: `input/${studyKey}/v0001/${file}.dcm`,
    importResponse: { imageSetId, isPrimary: true },
  })).join('\n');
}
