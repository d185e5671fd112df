/**
 * The synthesized import state machine, executed locally (aws-local-stepfunctions)
 * with the real step handlers on dynalite and s3rver and HealthImaging mocked
 * (aws-sdk-client-mock): job submitted -> in progress -> completed; failed;
 * throttled; never finishing; partial; unreadable output; staging that needs
 * more rounds than allowed. Every run leaves the study's import recorded and
 * announced, and waits and retries are bounded by the definition itself.
 */
import {
  GetDICOMImportJobCommand,
  GetDICOMImportJobCommandInput,
  MedicalImagingClient,
  StartDICOMImportJobCommand,
  ThrottlingException,
} from '@aws-sdk/client-medical-imaging';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { ClinicianNotifier, HealthImagingImport, HealthImagingOptions, ResultsStore } from '../../../src';
import { handleCheckImport } from '../../../src/runtime/handlers/health-imaging/check-import.lambda';
import { handleRecordImport } from '../../../src/runtime/handlers/health-imaging/record-import.lambda';
import { handleStageDicom } from '../../../src/runtime/handlers/health-imaging/stage-dicom.lambda';
import { handleStartImport } from '../../../src/runtime/handlers/health-imaging/start-import.lambda';
import { ImportState, RecordRequest } from '../../../src/runtime/steps/health-imaging/import-state';
import { getStudy } from '../../../src/runtime/storage';
import { DetailType } from '../../../src/shared/events';
import {
  createStagingBucket,
  DATASTORE_ID,
  IMAGE_SET_A,
  IMAGE_SET_B,
  ROLE_ARN,
  seedStudy,
  STAGING_BUCKET,
  writeJobOutput,
} from '../../runtime/handlers/health-imaging/fixtures';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { TEST_REGION } from '../../support/local-engines';
import { testStudyKey } from '../../support/study-keys';
import { newStack } from '../fixtures';
import { logicalId } from '../template-checks';

interface LocalRun {
  readonly result: Promise<unknown>;
}
// aws-local-stepfunctions ships ESM types only; `require` loads its CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (definition: unknown, options?: Record<string, unknown>) => { run(input: unknown, options: Record<string, unknown>): LocalRun };
};

const local = useLocalEngines();
const publishers = usePublisherMocks();
const medicalImaging = mockClient(MedicalImagingClient);
const JOB_ID = 'c3'.repeat(16);
/** pollInterval 1 minute, importTimeout 3 minutes: at most three status checks. */
const OPTIONS: HealthImagingOptions = { pollInterval: Duration.minutes(1), importTimeout: Duration.minutes(3) };

beforeAll(async () => createStagingBucket(local.engines.s3));
beforeEach(() => medicalImaging.reset());
afterAll(() => medicalImaging.restore());

/** The definition as synthesized, with each function's ARN token replaced by a readable ARN. */
function synthesizedDefinition(): unknown {
  const { stack } = newStack();
  const resultsStore = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: resultsStore.encryptionKey });
  const imports = new HealthImagingImport(stack, 'Imports', { resultsStore, notifier, ...OPTIONS });
  const template = Template.fromStack(stack).toJSON();
  const parts = template.Resources[logicalId(imports.stateMachine)].Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string'
    ? part
    : `arn:aws:lambda:eu-west-1:111111111111:function:${(part as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]}`)).join(''));
}
const definition = synthesizedDefinition();

interface Outcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly calls: Record<string, number>;
}

/** Runs one execution; `remainingMs` is what each staging round is told it has left. */
async function execute(studyKey: string, options: { pageSize?: number; remainingMs?: number } = {}): Promise<Outcome> {
  const target = { client: new MedicalImagingClient({ region: TEST_REGION }), datastoreId: DATASTORE_ID, dataAccessRoleArn: ROLE_ARN };
  const common = { table: local.table, stagingBucket: STAGING_BUCKET, log: silentLog() };
  const stage = handleStageDicom({
    ...common,
    s3: local.engines.s3,
    derivedBucket: local.engines.buckets.derived,
    pageSize: options.pageSize,
    reserveMs: 500,
  });
  const start = handleStartImport({ ...common, target });
  const check = handleCheckImport({ target, log: silentLog() });
  const record = handleRecordImport({ ...common, s3: local.engines.s3, events: publishers.events() });
  const calls: Record<string, number> = {};
  const counted = <I, O>(name: string, fn: (input: I) => Promise<O>) => (input: I) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return fn(input);
  };
  const remaining = { getRemainingTimeInMillis: () => options.remainingMs ?? 60_000 };
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const zero = Object.fromEntries(['Stage DICOM', 'Start import', 'Check import', 'Record result', 'Record failure', 'Record no DICOM'].map((n) => [n, 0]));
  const run = machine.run({ studyKey, version: 1 }, {
    overrides: {
      taskResourceLocalHandlers: {
        'Stage DICOM': counted('stage', (input: ImportState) => stage(input, remaining)),
        'Start import': counted('start', start),
        'Check import': counted('check', check),
        'Record result': counted('record', (input: RecordRequest) => record(input)),
        'Record failure': counted('recordFailure', (input: RecordRequest) => record(input)),
        'Record no DICOM': counted('recordNoDicom', (input: RecordRequest) => record(input)),
      },
      waitTimeOverrides: { 'Wait for import': 0 },
      retryIntervalOverrides: zero,
    },
  });
  try {
    await run.result;
    return { status: 'SUCCEEDED', calls };
  } catch (error) {
    return { status: 'FAILED', error: (error as Error).message, calls };
  }
}

let studies = 0;
const nextStudy = () => testStudyKey(`def${++studies}`);
const importOf = async (studyKey: string) => (await getStudy(local.table, studyKey))?.healthImaging;
const detailTypes = () => publishers.entries().map((e) => e.DetailType);

function submitted(): void {
  medicalImaging.on(StartDICOMImportJobCommand).resolves({ datastoreId: DATASTORE_ID, jobId: JOB_ID, jobStatus: 'SUBMITTED', submittedAt: new Date() });
}
function jobStatuses(studyKey: string, ...statuses: Array<'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'>): void {
  let call = 0;
  medicalImaging.on(GetDICOMImportJobCommand).callsFake((input: GetDICOMImportJobCommandInput) => ({
    jobProperties: {
      jobId: input.jobId,
      jobName: 'n',
      datastoreId: input.datastoreId,
      dataAccessRoleArn: ROLE_ARN,
      inputS3Uri: `s3://${STAGING_BUCKET}/input/${studyKey}/v0001/`,
      outputS3Uri: `s3://${STAGING_BUCKET}/output/${studyKey}/v0001/${DATASTORE_ID}-DicomImport-${JOB_ID}/`,
      jobStatus: statuses[Math.min(call++, statuses.length - 1)],
    },
  }));
}
async function completedOutput(studyKey: string, imported: number, failed = 0): Promise<void> {
  await writeJobOutput(local.engines.s3, studyKey, 1, JOB_ID, {
    manifest: {
      numberOfScannedFiles: imported + failed,
      numberOfImportedFiles: imported,
      numberOfFilesWithCustomerError: failed,
      imageSetsSummary: [{ imageSetId: IMAGE_SET_A }, { imageSetId: IMAGE_SET_B }],
    },
  });
}

test('submitted -> in progress -> completed: image set ids on the study, a Completed event, the execution succeeds', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 4, plain: 1 });
  submitted();
  jobStatuses(studyKey, 'SUBMITTED', 'IN_PROGRESS', 'COMPLETED');
  await completedOutput(studyKey, 4);

  const outcome = await execute(studyKey);

  expect(outcome).toEqual({ status: 'SUCCEEDED', calls: { stage: 1, start: 1, check: 3, record: 1 } });
  expect(await importOf(studyKey)).toMatchObject({
    version: 1,
    status: 'COMPLETED',
    jobId: JOB_ID,
    stagedFiles: 4,
    importedFiles: 4,
    imageSetIds: [IMAGE_SET_A, IMAGE_SET_B],
  });
  expect(detailTypes()).toEqual([DetailType.HEALTH_IMAGING_IMPORT_COMPLETED]);
});

test('the job FAILED: FAILED with JOB_FAILED on the study, a Failed event, and a failed execution (for the alarm)', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 2 });
  submitted();
  jobStatuses(studyKey, 'IN_PROGRESS', 'FAILED');

  const outcome = await execute(studyKey);

  expect(outcome).toMatchObject({ status: 'FAILED', calls: { stage: 1, start: 1, check: 2, recordFailure: 1 } });
  expect(outcome.error).toContain('recorded PARTIAL or FAILED on the study');
  expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'JOB_FAILED', jobId: JOB_ID });
  expect(publishers.entries().map((e) => [e.DetailType, JSON.parse(e.Detail!).reasonCode]))
    .toEqual([[DetailType.HEALTH_IMAGING_IMPORT_FAILED, 'JOB_FAILED']]);
});

test('a throttled start is retried with the same client token, then the import completes', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
  medicalImaging.on(StartDICOMImportJobCommand)
    .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
    .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
    .resolves({ datastoreId: DATASTORE_ID, jobId: JOB_ID, jobStatus: 'SUBMITTED', submittedAt: new Date() });
  jobStatuses(studyKey, 'COMPLETED');
  await completedOutput(studyKey, 1);

  const outcome = await execute(studyKey);

  expect(outcome).toMatchObject({ status: 'SUCCEEDED', calls: { start: 3, check: 1, record: 1 } });
  const tokens = medicalImaging.commandCalls(StartDICOMImportJobCommand).map((c) => c.args[0].input.clientToken);
  expect(new Set(tokens).size).toBe(1);
  expect(await importOf(studyKey)).toMatchObject({ status: 'COMPLETED' });
});

test('throttled beyond the retries: START_FAILED with the error name, announced', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
  medicalImaging.on(StartDICOMImportJobCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

  const outcome = await execute(studyKey);

  expect(outcome).toMatchObject({ status: 'FAILED', calls: { start: 7, recordFailure: 1 } });
  expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'START_FAILED', errorName: 'ThrottlingException' });
  expect(detailTypes()).toEqual([DetailType.HEALTH_IMAGING_IMPORT_FAILED]);
});

test('a job that never finishes: TIMED_OUT after the bounded number of checks', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
  submitted();
  jobStatuses(studyKey, 'IN_PROGRESS');

  const outcome = await execute(studyKey);

  expect(outcome).toMatchObject({ status: 'FAILED', calls: { check: 3, recordFailure: 1 } });
  expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'TIMED_OUT', jobId: JOB_ID });
});

test('some files refused: PARTIAL on the study, a Failed event, a failed execution', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 3 });
  submitted();
  jobStatuses(studyKey, 'COMPLETED');
  await completedOutput(studyKey, 2, 1);

  const outcome = await execute(studyKey);

  expect(outcome.status).toBe('FAILED');
  expect(await importOf(studyKey)).toMatchObject({ status: 'PARTIAL', reasonCode: 'FILES_NOT_IMPORTED', importedFiles: 2, failedFiles: 1 });
  expect(detailTypes()).toEqual([DetailType.HEALTH_IMAGING_IMPORT_FAILED]);
});

test('unreadable job output: RESULT_UNREADABLE, without retrying what cannot change', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 1 });
  submitted();
  jobStatuses(studyKey, 'COMPLETED');

  const outcome = await execute(studyKey);

  expect(outcome).toMatchObject({ status: 'FAILED', calls: { record: 1, recordFailure: 1 } });
  expect(await importOf(studyKey)).toMatchObject({ status: 'FAILED', reasonCode: 'RESULT_UNREADABLE', errorName: 'ImportOutputError' });
});

test('a study without DICOM is SKIPPED: no job, no event, the execution succeeds', async () => {
  const studyKey = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, studyKey, { dicom: 0, plain: 2 });

  const outcome = await execute(studyKey);

  expect(outcome).toEqual({ status: 'SUCCEEDED', calls: { stage: 1, recordNoDicom: 1 } });
  expect(await importOf(studyKey)).toMatchObject({ status: 'SKIPPED' });
  expect(medicalImaging.commandCalls(StartDICOMImportJobCommand)).toHaveLength(0);
  expect(publishers.entries()).toEqual([]);
});

test('staging resumes round after round; one that needs more rounds than allowed fails as STAGING_FAILED', async () => {
  const short = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, short, { dicom: 3 });
  submitted();
  jobStatuses(short, 'COMPLETED');
  await completedOutput(short, 3);
  // One instance per round, and a last round that finds the end (DynamoDB hands back a key after a full page).
  expect(await execute(short, { pageSize: 1, remainingMs: 100 })).toMatchObject({ status: 'SUCCEEDED', calls: { stage: 4 } });
  expect(await importOf(short)).toMatchObject({ status: 'COMPLETED', stagedFiles: 3 });

  const long = nextStudy();
  await seedStudy(local.table, local.engines.s3, local.engines.buckets.derived, long, { dicom: 13 });
  const outcome = await execute(long, { pageSize: 1, remainingMs: 100 });
  expect(outcome).toMatchObject({ status: 'FAILED', calls: { stage: 12, recordFailure: 1 } });
  expect(outcome.calls.start).toBeUndefined();
  expect(await importOf(long)).toMatchObject({ status: 'FAILED', reasonCode: 'STAGING_FAILED', errorName: 'StagingRoundsExceeded' });
}, 120_000);
