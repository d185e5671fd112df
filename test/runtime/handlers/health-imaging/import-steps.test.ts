/**
 * The HealthImaging import steps on real local engines (dynalite, s3rver) with
 * the MedicalImaging client mocked (aws-sdk-client-mock): staging (paginated,
 * resumable), job submitted, checked, completed with image set ids recorded,
 * partially or wholly failed, throttled; every outcome on the study and in a
 * PHI-free event.
 */
import {
  GetDICOMImportJobCommand,
  MedicalImagingClient,
  StartDICOMImportJobCommand,
  ThrottlingException,
} from '@aws-sdk/client-medical-imaging';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createStagingBucket,
  DATASTORE_ID,
  dicomBytes,
  IMAGE_SET_A,
  IMAGE_SET_B,
  ROLE_ARN,
  seedStudy,
  STAGING_BUCKET,
  successLines,
  writeJobOutput,
} from './fixtures';
import { importClientToken } from '../../../../src/core/import-jobs';
import { handleCheckImport } from '../../../../src/runtime/handlers/health-imaging/check-import.lambda';
import { handleRecordImport } from '../../../../src/runtime/handlers/health-imaging/record-import.lambda';
import { handleStageDicom } from '../../../../src/runtime/handlers/health-imaging/stage-dicom.lambda';
import { handleStartImport } from '../../../../src/runtime/handlers/health-imaging/start-import.lambda';
import { ImportState, ImportTarget } from '../../../../src/runtime/steps/health-imaging/import-state';
import { readyAndStart } from '../../../../src/runtime/steps/start-analysis';
import { getStudy, recordHealthImagingImport, transitionStudy } from '../../../../src/runtime/storage';
import { DetailType } from '../../../../src/shared/events';
import { executionName, healthImagingExecutionName, StudyStatus } from '../../../../src/shared/records';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../../support/handler-harness';
import { TEST_REGION } from '../../../support/local-engines';
import { testStudyKey } from '../../../support/study-keys';

const local = useLocalEngines();
const publishers = usePublisherMocks();
const medicalImaging = mockClient(MedicalImagingClient);
const JOB_ID = 'f0'.repeat(16);
const NOW = new Date('2025-04-01T09:00:00.000Z');

beforeAll(async () => createStagingBucket(local.engines.s3));
beforeEach(() => medicalImaging.reset());
afterAll(() => medicalImaging.restore());

let studies = 0;
const nextStudy = () => testStudyKey(`hi${++studies}`);

const target = (): ImportTarget => ({
  client: new MedicalImagingClient({ region: TEST_REGION }),
  datastoreId: DATASTORE_ID,
  dataAccessRoleArn: ROLE_ARN,
});
const stage = (extra: { pageSize?: number; reserveMs?: number } = {}) => handleStageDicom({
  table: local.table,
  s3: local.engines.s3,
  derivedBucket: local.engines.buckets.derived,
  stagingBucket: STAGING_BUCKET,
  log: silentLog(),
  clock: () => NOW,
  ...extra,
});
const start = () => handleStartImport({ table: local.table, target: target(), stagingBucket: STAGING_BUCKET, log: silentLog(), clock: () => NOW });
const check = () => handleCheckImport({ target: target(), log: silentLog() });
const record = () => handleRecordImport({
  table: local.table,
  s3: local.engines.s3,
  stagingBucket: STAGING_BUCKET,
  events: publishers.events(),
  log: silentLog(),
  clock: () => NOW,
});

async function stagedKeys(studyKey: string): Promise<string[]> {
  const listing = await local.engines.s3.send(new ListObjectsV2Command({ Bucket: STAGING_BUCKET, Prefix: `input/${studyKey}/` }));
  return (listing.Contents ?? []).map((o) => o.Key!).sort();
}
const importOf = async (studyKey: string) => (await getStudy(local.table, studyKey))?.healthImaging;
// Every detail carries the contract version; the tests compare the rest.
const eventsOf = () => publishers.entries().map((e) => {
  const { schemaVersion, ...detail } = JSON.parse(e.Detail ?? '{}') as Record<string, unknown>;
  expect(schemaVersion).toBe('1');
  return { detailType: e.DetailType, detail };
});

/** No event may carry a file name, an S3 location or an error message. */
function expectPhiFree(): void {
  const text = JSON.stringify(publishers.entries());
  expect(text).not.toMatch(/s3:|\.dcm|input\/|output\/|DicomImport|DOE|message/i);
}

describe('Stage DICOM', () => {
  test('copies every DICOM instance (not the plain images) under the version prefix, page by page, and records STAGING', async () => {
    const study = await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, nextStudy(), { dicom: 5, plain: 2 });
    const progress = await stage({ pageSize: 2 })({ studyKey: study.studyKey, version: 1 });

    expect(progress).toEqual({ staged: 5, rounds: 1, done: true });
    expect(await stagedKeys(study.studyKey)).toEqual(study.dicom.map((file) => `input/${study.studyKey}/v0001/${file}.dcm`).sort());
    const copy = await local.engines.s3.send(new GetObjectCommand({ Bucket: STAGING_BUCKET, Key: `input/${study.studyKey}/v0001/${study.dicom[3]}.dcm` }));
    expect(Buffer.from(await copy.Body!.transformToByteArray())).toEqual(dicomBytes(study.dicom[3].split('/')[1]));
    expect(await importOf(study.studyKey)).toEqual({ version: 1, status: 'STAGING', updatedAt: NOW.toISOString() });
  });

  test('hands back a cursor when time runs short, and the next round carries on where it stopped', async () => {
    const study = await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, nextStudy(), { dicom: 5 });
    const shortOfTime = { getRemainingTimeInMillis: () => 1_000 };
    const first = await stage({ pageSize: 2, reserveMs: 5_000 })({ studyKey: study.studyKey, version: 1 }, shortOfTime);
    expect(first).toMatchObject({ staged: 2, rounds: 1, done: false, cursor: expect.stringMatching(/^INSTANCE#/) });
    expect(await stagedKeys(study.studyKey)).toHaveLength(2);

    const second = await stage({ pageSize: 2 })({ studyKey: study.studyKey, version: 1, staging: first });
    expect(second).toEqual({ staged: 5, rounds: 2, done: true });
    expect(await stagedKeys(study.studyKey)).toHaveLength(5);
  });

  test('a study of plain images stages nothing', async () => {
    const study = await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, nextStudy(), { dicom: 0, plain: 3 });
    expect(await stage()({ studyKey: study.studyKey, version: 1 })).toEqual({ staged: 0, rounds: 1, done: true });
    expect(await stagedKeys(study.studyKey)).toEqual([]);
  });

  test('refuses a study key that is not a plain pseudonym (it becomes an S3 key segment)', async () => {
    await expect(stage()({ studyKey: '../other', version: 1 })).rejects.toMatchObject({ name: 'ImportStateError' });
  });
});

describe('Start import and Check import', () => {
  test('submits the staged prefix with the role and a client token per study version, and records IMPORTING', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    medicalImaging.on(StartDICOMImportJobCommand).resolves({ datastoreId: DATASTORE_ID, jobId: JOB_ID, jobStatus: 'SUBMITTED', submittedAt: NOW });

    const job = await start()({ studyKey, version: 2, staging: { staged: 1, rounds: 1, done: true } });

    expect(job).toEqual({ jobId: JOB_ID, status: 'SUBMITTED', polls: 0 });
    expect(medicalImaging.commandCalls(StartDICOMImportJobCommand).map((c) => c.args[0].input)).toEqual([{
      datastoreId: DATASTORE_ID,
      dataAccessRoleArn: ROLE_ARN,
      clientToken: importClientToken(DATASTORE_ID, studyKey, 2),
      jobName: `study-${studyKey}-v2`,
      inputS3Uri: `s3://${STAGING_BUCKET}/input/${studyKey}/v0002/`,
      outputS3Uri: `s3://${STAGING_BUCKET}/output/${studyKey}/v0002/`,
    }]);
    expect(await importOf(studyKey)).toEqual({ version: 2, status: 'IMPORTING', jobId: JOB_ID, stagedFiles: 1, updatedAt: NOW.toISOString() });
  });

  test('throttling surfaces as ThrottlingException (the definition retries it) and records nothing', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    medicalImaging.on(StartDICOMImportJobCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(start()({ studyKey, version: 1, staging: { staged: 1, rounds: 1, done: true } })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await importOf(studyKey)).toBeUndefined();
  });

  test('a start without a job id is an error, not a silent success', async () => {
    const studyKey = nextStudy();
    medicalImaging.on(StartDICOMImportJobCommand).resolves({ datastoreId: DATASTORE_ID, jobId: undefined, jobStatus: 'SUBMITTED', submittedAt: NOW });
    await expect(start()({ studyKey, version: 1 })).rejects.toMatchObject({ name: 'ImportNotSubmittedError' });
  });

  test('each check asks for the job on the data store and counts itself; COMPLETED brings the output location', async () => {
    const studyKey = nextStudy();
    const properties = {
      jobId: JOB_ID,
      jobName: 'n',
      datastoreId: DATASTORE_ID,
      dataAccessRoleArn: ROLE_ARN,
      inputS3Uri: 'in',
      outputS3Uri: `s3://${STAGING_BUCKET}/output/${studyKey}/v0001/${DATASTORE_ID}-DicomImport-${JOB_ID}/`,
    };
    medicalImaging.on(GetDICOMImportJobCommand)
      .resolvesOnce({ jobProperties: { ...properties, jobStatus: 'IN_PROGRESS' } })
      .resolvesOnce({ jobProperties: { ...properties, jobStatus: 'COMPLETED' } });
    const state: ImportState = { studyKey, version: 1, job: { jobId: JOB_ID, status: 'SUBMITTED', polls: 0 } };

    const first = await check()(state);
    expect(first).toMatchObject({ jobId: JOB_ID, status: 'IN_PROGRESS', polls: 1 });
    const second = await check()({ ...state, job: first });
    expect(second).toEqual({ jobId: JOB_ID, status: 'COMPLETED', polls: 2, outputS3Uri: properties.outputS3Uri });
    expect(medicalImaging.commandCalls(GetDICOMImportJobCommand).map((c) => c.args[0].input))
      .toEqual([{ datastoreId: DATASTORE_ID, jobId: JOB_ID }, { datastoreId: DATASTORE_ID, jobId: JOB_ID }]);
  });

  test('a check without a job to check is refused', async () => {
    await expect(check()({ studyKey: nextStudy(), version: 1 })).rejects.toMatchObject({ name: 'ImportStateError' });
  });
});

describe('Record result', () => {
  const staged = (count: number) => ({ staged: count, rounds: 1, done: true });

  test('completed: image set ids from the manifest on the study, and a Completed event with ids and counts only', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 3 });
    const outputS3Uri = await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
      manifest: {
        numberOfScannedFiles: 3,
        numberOfImportedFiles: 3,
        numberOfFilesWithCustomerError: 0,
        numberOfFilesWithServerError: 0,
        imageSetsSummary: [{ imageSetId: IMAGE_SET_A }, { imageSetId: IMAGE_SET_B }],
      },
    });

    const recorded = await record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(3), job: { jobId: JOB_ID, status: 'COMPLETED', polls: 4, outputS3Uri } } });

    expect(recorded).toEqual({ status: 'COMPLETED' });
    expect(await importOf(studyKey)).toEqual({
      version: 1,
      status: 'COMPLETED',
      jobId: JOB_ID,
      stagedFiles: 3,
      importedFiles: 3,
      failedFiles: 0,
      imageSetIds: [IMAGE_SET_A, IMAGE_SET_B],
      imageSetCount: 2,
      updatedAt: NOW.toISOString(),
    });
    expect(eventsOf()).toEqual([{
      detailType: DetailType.HEALTH_IMAGING_IMPORT_COMPLETED,
      detail: { studyKey, version: 1, jobId: JOB_ID, importedFiles: 3, imageSetCount: 2, imageSetIds: [IMAGE_SET_A, IMAGE_SET_B] },
    }]);
    expectPhiFree();
  });

  test('finds the manifest under the version prefix when it is not where the job said (other output layouts)', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
      folder: `${JOB_ID}/`,
      manifest: { numberOfScannedFiles: 1, numberOfImportedFiles: 1, imageSetsSummary: [{ imageSetId: IMAGE_SET_A }] },
    });
    const job = { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri: `s3://${STAGING_BUCKET}/output/${studyKey}/v0001/` };
    expect(await record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(1), job } })).toEqual({ status: 'COMPLETED' });
    expect((await importOf(studyKey))?.imageSetIds).toEqual([IMAGE_SET_A]);
  });

  test('reads the image set ids from SUCCESS/success.ndjson when the manifest lists none', async () => {
    const studyKey = nextStudy();
    const study = await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 3 });
    const outputS3Uri = await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
      manifest: { numberOfScannedFiles: 3, numberOfImportedFiles: 3 },
      success: successLines(studyKey, [[study.dicom[0], IMAGE_SET_A], [study.dicom[1], IMAGE_SET_B], [study.dicom[2], IMAGE_SET_A]]),
    });
    await record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(3), job: { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri } } });
    expect(await importOf(studyKey)).toMatchObject({ status: 'COMPLETED', imageSetIds: [IMAGE_SET_A, IMAGE_SET_B], imageSetCount: 2 });
  });

  test('some files refused: PARTIAL on the study and a Failed event with the reason code and exception types, never messages', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 3 });
    const outputS3Uri = await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
      manifest: {
        numberOfScannedFiles: 3,
        numberOfImportedFiles: 2,
        numberOfFilesWithCustomerError: 1,
        imageSetsSummary: [{ imageSetId: IMAGE_SET_A }],
      },
      failure: JSON.stringify({
        inputFile: `input/${studyKey}/v0001/series0/inst002.dcm`,
        exception: { exceptionType: 'ValidationException', message: 'PatientName DOE^JANE exceeds its length' },
      }),
    });

    const recorded = await record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(3), job: { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri } } });

    expect(recorded).toEqual({ status: 'PARTIAL' });
    expect(await importOf(studyKey)).toMatchObject({ status: 'PARTIAL', importedFiles: 2, failedFiles: 1, reasonCode: 'FILES_NOT_IMPORTED', imageSetIds: [IMAGE_SET_A] });
    expect(eventsOf()).toEqual([{
      detailType: DetailType.HEALTH_IMAGING_IMPORT_FAILED,
      detail: {
        studyKey,
        version: 1,
        jobId: JOB_ID,
        reasonCode: 'FILES_NOT_IMPORTED',
        partial: true,
        importedFiles: 2,
        imageSetCount: 1,
        failedFiles: 1,
        exceptionTypes: ['ValidationException'],
      },
    }]);
    expectPhiFree();
  });

  test('every file refused although the job COMPLETED: FAILED, never COMPLETED', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 2 });
    const outputS3Uri = await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
      manifest: { numberOfScannedFiles: 2, numberOfImportedFiles: 0, numberOfFilesWithCustomerError: 2 },
    });
    expect(await record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(2), job: { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri } } }))
      .toEqual({ status: 'FAILED' });
    expect(eventsOf()).toEqual([expect.objectContaining({ detailType: DetailType.HEALTH_IMAGING_IMPORT_FAILED })]);
  });

  test('no manifest anywhere: an error (the definition records RESULT_UNREADABLE), and nothing is announced', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const job = { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri: `s3://${STAGING_BUCKET}/output/${studyKey}/v0001/nothing/` };
    await expect(record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(1), job } })).rejects.toMatchObject({ name: 'ImportOutputError' });
    expect(publishers.entries()).toEqual([]);
  });

  test('an output location outside the version prefix is never read', async () => {
    const studyKey = nextStudy();
    const other = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const elsewhere = await writeJobOutput(local.engines.s3, other, 1, JOB_ID, {
      manifest: { numberOfImportedFiles: 1, imageSetsSummary: [{ imageSetId: IMAGE_SET_B }] },
    });
    const job = { jobId: JOB_ID, status: 'COMPLETED', polls: 1, outputS3Uri: elsewhere };
    await expect(record()({ kind: 'RESULT', state: { studyKey, version: 1, staging: staged(1), job } })).rejects.toMatchObject({ name: 'ImportOutputError' });
  });
});

describe('Record failure and Record no DICOM', () => {
  test('FAILED with the reason code and the error name; the Cause (which may quote data) goes nowhere', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const state: ImportState = {
      studyKey,
      version: 1,
      staging: { staged: 1, rounds: 1, done: true },
      job: { jobId: JOB_ID, status: 'IN_PROGRESS', polls: 120 },
      reasonCode: 'TIMED_OUT',
      error: { Error: 'States.Timeout', Cause: 'input/x/v0001/DOE^JANE.dcm message' },
    };
    expect(await record()({ kind: 'FAILURE', state })).toEqual({ status: 'FAILED' });
    expect(await importOf(studyKey)).toEqual({
      version: 1,
      status: 'FAILED',
      jobId: JOB_ID,
      stagedFiles: 1,
      reasonCode: 'TIMED_OUT',
      errorName: 'States.Timeout',
      updatedAt: NOW.toISOString(),
    });
    expect(eventsOf()).toEqual([{
      detailType: DetailType.HEALTH_IMAGING_IMPORT_FAILED,
      detail: { studyKey, version: 1, reasonCode: 'TIMED_OUT', jobId: JOB_ID, errorName: 'States.Timeout' },
    }]);
    expectPhiFree();
  });

  test('a failure of an older version never overwrites the newer version\'s import, and is not announced', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    await recordHealthImagingImport(local.table, studyKey, { version: 2, status: 'COMPLETED', jobId: JOB_ID, updatedAt: NOW.toISOString() });
    await record()({ kind: 'FAILURE', state: { studyKey, version: 1, reasonCode: 'JOB_FAILED' } });
    expect(await importOf(studyKey)).toMatchObject({ version: 2, status: 'COMPLETED' });
    expect(publishers.entries()).toEqual([]);
  });

  test('a retried record writes the same outcome again and announces it again (at least once), but a final status stays final', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const failure = { kind: 'FAILURE' as const, state: { studyKey, version: 1, reasonCode: 'JOB_FAILED' } };
    await record()(failure);
    await record()(failure);
    expect(publishers.entries()).toHaveLength(2);
    // A late IMPORTING (a restarted step) cannot reopen it.
    await recordHealthImagingImport(local.table, studyKey, { version: 1, status: 'IMPORTING', jobId: JOB_ID, updatedAt: NOW.toISOString() });
    expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'JOB_FAILED' });
  });

  test('an unknown reason code is recorded as JOB_FAILED; an error name that is not a plain name is recorded as Error', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    await record()({ kind: 'FAILURE', state: { studyKey, version: 1, reasonCode: 'DOE^JANE', error: { Error: 'name with spaces: DOE^JANE' } } });
    expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'JOB_FAILED', errorName: 'Error' });
    expectPhiFree();
  });

  test('no DICOM: SKIPPED, without an event (nothing failed)', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 0, plain: 1 });
    expect(await record()({ kind: 'NO_DICOM', state: { studyKey, version: 1 } })).toEqual({ status: 'SKIPPED' });
    expect(await importOf(studyKey)).toMatchObject({ version: 1, status: 'SKIPPED', stagedFiles: 0 });
    expect(publishers.entries()).toEqual([]);
  });

  test('the import record leaves the study\'s status and updatedAt (the worklist and sweeper order) alone', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const before = await getStudy(local.table, studyKey);
    await record()({ kind: 'FAILURE', state: { studyKey, version: 1, reasonCode: 'JOB_FAILED' } });
    const after = await getStudy(local.table, studyKey);
    expect({ status: after?.status, updatedAt: after?.updatedAt }).toEqual({ status: before?.status, updatedAt: before?.updatedAt });
  });
});

describe('starting the import when a study is ready', () => {
  const sfn = mockClient(SFNClient);
  afterAll(() => sfn.restore());
  const ANALYSIS = 'arn:aws:states:us-east-1:111122223333:stateMachine:analysis';
  const IMPORTS = 'arn:aws:states:us-east-1:111122223333:stateMachine:imports';
  const starter = (healthImagingStateMachineArn?: string) => ({
    client: new SFNClient({ region: TEST_REGION }),
    stateMachineArn: ANALYSIS,
    healthImagingStateMachineArn,
  });
  const started = () => sfn.commandCalls(StartExecutionCommand).map((c) => ({ arn: c.args[0].input.stateMachineArn, name: c.args[0].input.name }));

  beforeEach(() => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:e', startDate: NOW });
  });

  test('READY starts the import (first) and the analysis, each with its deterministic name', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    const meta = (await getStudy(local.table, studyKey))!;
    expect(await readyAndStart(local.table, starter(IMPORTS), meta, NOW.toISOString())).toBe(true);
    expect(started()).toEqual([
      { arn: IMPORTS, name: healthImagingExecutionName(studyKey, 1) },
      { arn: ANALYSIS, name: executionName(studyKey, 1) },
    ]);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toEqual({ studyKey, version: 1 });
  });

  test('without the option only the analysis starts', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    await readyAndStart(local.table, starter(), (await getStudy(local.table, studyKey))!, NOW.toISOString());
    expect(started()).toEqual([{ arn: ANALYSIS, name: executionName(studyKey, 1) }]);
  });

  test('an import that already exists does not stop the analysis start', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    sfn.on(StartExecutionCommand, { stateMachineArn: IMPORTS }).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await readyAndStart(local.table, starter(IMPORTS), (await getStudy(local.table, studyKey))!, NOW.toISOString());
    expect(started().map((s) => s.arn)).toEqual([IMPORTS, ANALYSIS]);
  });

  test('a failed import start throws before the analysis starts, leaving the study READY for the retry', async () => {
    const studyKey = nextStudy();
    await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
    sfn.on(StartExecutionCommand, { stateMachineArn: IMPORTS }).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const meta = (await getStudy(local.table, studyKey))!;
    await expect(readyAndStart(local.table, starter(IMPORTS), meta, NOW.toISOString())).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(started().map((s) => s.arn)).toEqual([IMPORTS]);
    expect((await getStudy(local.table, studyKey))?.status).toBe(StudyStatus.READY);
    // The retry (redelivery or the sweeper) starts both.
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:e', startDate: NOW });
    expect(await readyAndStart(local.table, starter(IMPORTS), { ...meta, status: StudyStatus.READY }, NOW.toISOString())).toBe(true);
    expect(started().map((s) => s.arn)).toEqual([IMPORTS, ANALYSIS]);
    const analyzing = { studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: NOW.toISOString() };
    expect(await transitionStudy(local.table, analyzing)).toBe(true);
  });
});
