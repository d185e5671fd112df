import {
  importClientToken,
  importJobName,
  ImportOutputError,
  importOutcome,
  parseFailureNdjson,
  parseJobOutputManifest,
  parseS3Uri,
  parseSuccessNdjson,
  s3Uri,
} from '../../../src/core/import-jobs';
import { HealthImagingStatus } from '../../../src/shared/records';

const DATASTORE = 'a'.repeat(32);
const SET_A = '1'.repeat(32);
const SET_B = '2'.repeat(32);

/** The manifest layout HealthImaging documents (counts, output URIs, image sets). */
function manifest(summary: Record<string, unknown>): string {
  return JSON.stringify({
    jobSummary: {
      jobId: 'j'.repeat(32),
      datastoreId: DATASTORE,
      outputS3Uri: 's3://staging/output/s/v0001/x-DicomImport-y/',
      successOutputS3Uri: 's3://staging/output/s/v0001/x-DicomImport-y/SUCCESS/',
      failureOutputS3Uri: 's3://staging/output/s/v0001/x-DicomImport-y/FAILURE/',
      ...summary,
    },
  });
}

describe('import job requests', () => {
  test('the client token is the same for a study version and differs across versions, studies and data stores', () => {
    const token = importClientToken(DATASTORE, 'studykey', 1);
    expect(token).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(importClientToken(DATASTORE, 'studykey', 1)).toBe(token);
    expect(new Set([
      token,
      importClientToken(DATASTORE, 'studykey', 2),
      importClientToken(DATASTORE, 'otherstudy', 1),
      importClientToken('b'.repeat(32), 'studykey', 1),
    ]).size).toBe(4);
  });

  test('the job name fits the API (64 characters of [A-Za-z0-9._/#-])', () => {
    expect(importJobName('abcdefghijklmnopqrstuvwxyz', 3)).toBe('study-abcdefghijklmnopqrstuvwxyz-v3');
    const long = importJobName('k'.repeat(100), 12);
    expect(long.length).toBe(64);
    expect(importJobName('a b:c', 1)).toMatch(/^[A-Za-z0-9._/#-]+$/);
  });

  test('S3 URIs round-trip; anything else is not one', () => {
    expect(parseS3Uri(s3Uri({ bucket: 'my-bucket', key: 'input/s/v0001/' }))).toEqual({ bucket: 'my-bucket', key: 'input/s/v0001/' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', key: '' });
    expect(parseS3Uri('https://my-bucket/key')).toBeUndefined();
    expect(parseS3Uri('s3://UPPER/key')).toBeUndefined();
  });
});

describe('job output manifest', () => {
  test('counts and unique image set ids; refused files add customer and server errors', () => {
    const summary = parseJobOutputManifest(manifest({
      numberOfScannedFiles: 5,
      numberOfImportedFiles: 3,
      numberOfFilesWithCustomerError: 1,
      numberOfFilesWithServerError: 1,
      imageSetsSummary: [
        { imageSetId: SET_A, numberOfMatchedSOPInstances: 2 },
        { imageSetId: SET_B, numberOfMatchedSOPInstances: 1 },
        { imageSetId: SET_A },
        { imageSetId: '../not-an-id' },
      ],
    }));
    expect(summary).toEqual({
      scannedFiles: 5,
      importedFiles: 3,
      failedFiles: 2,
      imageSetIds: [SET_A, SET_B],
      successOutputUri: 's3://staging/output/s/v0001/x-DicomImport-y/SUCCESS/',
      failureOutputUri: 's3://staging/output/s/v0001/x-DicomImport-y/FAILURE/',
    });
  });

  test.each([
    ['not JSON', '{"jobSummary":'],
    ['no jobSummary', '{"summary":{}}'],
    ['a negative count', manifest({ numberOfImportedFiles: -1 })],
    ['a count that is text', manifest({ numberOfScannedFiles: '3' })],
    ['image sets that are not a list', manifest({ imageSetsSummary: { imageSetId: SET_A } })],
  ])('refuses %s, naming the part but not the content', (_case, text) => {
    expect(() => parseJobOutputManifest(text)).toThrow(ImportOutputError);
    try {
      parseJobOutputManifest(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(SET_A);
      expect((error as Error).message).not.toContain('s3://');
    }
  });
});

describe('SUCCESS and FAILURE ndjson', () => {
  test('image set ids from success lines, tolerating Python-style booleans and blank or broken lines', () => {
    const text = [
      JSON.stringify({ inputFile: 'input/s/v0001/ser/inst1.dcm', importResponse: { imageSetId: SET_A, isPrimary: true } }),
      `{"inputFile":"input/s/v0001/ser/inst2.dcm","importResponse":{"imageSetId":"${SET_B}", "isPrimary": True}}`,
      '',
      '{"inputFile": broken',
      JSON.stringify({ inputFile: 'input/s/v0001/ser/inst3.dcm', importResponse: { imageSetId: SET_A } }),
    ].join('\n');
    expect(parseSuccessNdjson(text)).toEqual({ files: 4, imageSetIds: [SET_A, SET_B] });
  });

  test('failure lines give exception type names only: never file names or messages', () => {
    const text = [
      JSON.stringify({ inputFile: 'input/s/v0001/ser/PATIENT-NAME.dcm', exception: { exceptionType: 'ValidationException', message: 'Name DOE^JANE too long' } }),
      JSON.stringify({ inputFile: 'input/s/v0001/ser/b.dcm', exception: { exceptionType: 'ValidationException', message: 'x' } }),
      JSON.stringify({ inputFile: 'input/s/v0001/ser/c.dcm', exception: { exceptionType: 'Internal Error: DOE^JANE', message: 'y' } }),
      JSON.stringify({ inputFile: 'input/s/v0001/ser/d.dcm', exception: { exceptionType: 'InternalServerException' } }),
    ].join('\n');
    const parsed = parseFailureNdjson(text);
    expect(parsed).toEqual({ files: 4, exceptionTypes: ['InternalServerException', 'ValidationException'] });
    expect(JSON.stringify(parsed)).not.toMatch(/DOE|PATIENT|\.dcm/);
  });
});

describe('import outcome', () => {
  test.each([
    ['every staged file imported', { importedFiles: 3, failedFiles: 0 }, 3, HealthImagingStatus.COMPLETED, 0, undefined],
    ['some refused', { importedFiles: 2, failedFiles: 1 }, 3, HealthImagingStatus.PARTIAL, 1, 'FILES_NOT_IMPORTED'],
    ['some never seen by the job', { importedFiles: 2, failedFiles: 0 }, 3, HealthImagingStatus.PARTIAL, 1, 'FILES_NOT_IMPORTED'],
    ['all refused (the job still says COMPLETED)', { importedFiles: 0, failedFiles: 3 }, 3, HealthImagingStatus.FAILED, 3, 'FILES_NOT_IMPORTED'],
    ['nothing at all', { importedFiles: 0, failedFiles: 0 }, 2, HealthImagingStatus.FAILED, 2, 'FILES_NOT_IMPORTED'],
  ])('%s', (_case, summary, staged, status, failedFiles, reasonCode) => {
    const outcome = importOutcome(summary, staged);
    expect(outcome.status).toBe(status);
    expect(outcome.failedFiles).toBe(failedFiles);
    expect(outcome.reasonCode).toBe(reasonCode);
  });
});
