import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handleAggregateFindings } from '../../../src/runtime/handlers/workflow/aggregate-findings.lambda';
import { handleMarkFailed } from '../../../src/runtime/handlers/workflow/mark-failed.lambda';
import { handleNotifyOutcome } from '../../../src/runtime/handlers/workflow/notify-outcome.lambda';
import { handlePersistResults } from '../../../src/runtime/handlers/workflow/persist-results.lambda';
import { handleSelectImages } from '../../../src/runtime/handlers/workflow/select-images.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { getStudy, recordInstance, recordStudyArrival, TableContext, transitionStudy } from '../../../src/runtime/storage';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { instanceSk, StudyStatus, StudyStatusValue, studyPk } from '../../../src/shared/records';
import { WorkflowStateWithResults } from '../../../src/shared/workflow';
import { LocalEngines, startLocalEngines, TEST_REGION } from '../../support/local-engines';

const eventBridge = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);
const silent: SafeLog = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const NOW = new Date('2025-03-01T12:00:00.000Z');
const clock = () => NOW;

let engines: LocalEngines;
let table: TableContext;
beforeAll(async () => {
  engines = await startLocalEngines();
  table = { doc: engines.doc, tableName: engines.tableName };
});
afterAll(async () => {
  await engines.stop();
  eventBridge.restore();
  sns.restore();
});
beforeEach(() => {
  eventBridge.reset();
  sns.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

let counter = 0;
/** A study with `instances` instances, moved to `status` (version 1). */
async function study(status: StudyStatusValue, instances = 2, flagged: number[] = []): Promise<string> {
  const studyKey = `wf${++counter}`;
  for (let i = 1; i <= instances; i++) {
    const prefix = `studies/${studyKey}/s1/i${i}/`;
    await recordInstance(table, {
      studyKey,
      seriesKey: 's1',
      instanceKey: `i${i}`,
      kind: 'dicom',
      modality: 'CT',
      width: 64,
      height: 32,
      analysisWidth: 64,
      analysisHeight: 32,
      previewKey: `${prefix}preview.png`,
      analysisKey: `${prefix}analysis.png`,
      metadataKey: `${prefix}metadata.json`,
      ...(flagged.includes(i) ? { requiresReview: true } : {}),
      sourceSha256: 'a'.repeat(64),
      receivedAt: '2025-03-01T11:00:00.000Z',
    });
    await recordStudyArrival(table, {
      studyKey, instanceSk: instanceSk('s1', `i${i}`), arrivedAt: `2025-03-01T11:00:0${i}.000Z`, singleImage: false, now: NOW.toISOString(),
    });
  }
  const path: StudyStatusValue[] = [StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.IN_REVIEW];
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of path) {
    if (from === status) break;
    await transitionStudy(table, { studyKey, version: 1, from: [from], to: next, now: NOW.toISOString() });
    from = next;
  }
  return studyKey;
}

const events = () => ({ client: new EventBridgeClient({ region: TEST_REGION }), busName: 'bus' });
const messages = () => ({ client: new SNSClient({ region: TEST_REGION }), topicArn: 'arn:aws:sns:us-east-1:111122223333:topic' });

function analyzerResult(confidences: number[]): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality',
    modelId: 'image-quality',
    modelVersion: '1',
    status: AnalyzerStatus.SUCCEEDED,
    durationMs: 3,
    findings: confidences.map((confidence) => ({ label: 'Low contrast image', code: 'IQ-LOW-CONTRAST', codeSystem: 'urn:iq', confidence, imageRef: 's1/i1' })),
  };
}

describe('select-images', () => {
  const select = () => handleSelectImages({ table, derivedBucket: engines.buckets.derived, log: silent, clock });

  test('claims READY -> ANALYZING and describes every instance', async () => {
    const studyKey = await study(StudyStatus.READY);
    const descriptor = await select()({ studyKey, version: 1 });
    expect(descriptor).toEqual({
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey,
      version: 1,
      images: [1, 2].map((i) => ({
        imageRef: `s1/i${i}`,
        bucket: engines.buckets.derived,
        previewKey: `studies/${studyKey}/s1/i${i}/preview.png`,
        analysisKey: `studies/${studyKey}/s1/i${i}/analysis.png`,
        width: 64,
        height: 32,
        modality: 'CT',
      })),
      requiresReview: false,
    });
    expect(await getStudy(table, studyKey)).toMatchObject({ status: 'ANALYZING' });
    // A retried step finds its own claim and succeeds again.
    await expect(select()({ studyKey, version: 1 })).resolves.toMatchObject({ studyKey });
  });

  test('a study with an instance flagged for review at ingest says so in its descriptor', async () => {
    const studyKey = await study(StudyStatus.READY, 2, [2]);
    expect(await select()({ studyKey, version: 1 })).toMatchObject({ requiresReview: true });
  });

  test('refuses a study that is not READY, or a stale version', async () => {
    const receiving = await study(StudyStatus.RECEIVING);
    await expect(select()({ studyKey: receiving, version: 1 })).rejects.toMatchObject({ name: 'StudyStateError' });
    const ready = await study(StudyStatus.READY);
    await expect(select()({ studyKey: ready, version: 2 })).rejects.toMatchObject({ name: 'StudyStateError' });
    expect(await getStudy(table, ready)).toMatchObject({ status: 'READY' });
  });

  test('rejects malformed input', async () => {
    await expect(select()({ studyKey: '', version: 1 })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('aggregate-findings', () => {
  test('uses the input threshold, else the configured one', async () => {
    const aggregate = handleAggregateFindings({ defaultThreshold: 0.9, log: silent });
    expect((await aggregate({ results: [analyzerResult([0.85])] })).reviewRequired).toBe(true);
    expect((await aggregate({ results: [analyzerResult([0.85])], autoReleaseThreshold: 0.8 })).reviewRequired).toBe(false);
    expect((await aggregate({ results: [analyzerResult([0.85])], autoReleaseThreshold: 0.8, studyRequiresReview: true })).reviewRequired).toBe(true);
  });
});

describe('persist-results', () => {
  const persist = () => handlePersistResults({ table, s3: engines.s3, reportsBucket: engines.buckets.reports, log: silent, clock });

  async function readReport(key: string): Promise<string> {
    return (await engines.s3.send(new GetObjectCommand({ Bucket: engines.buckets.reports, Key: key }))).Body!.transformToString();
  }

  async function state(
    status: StudyStatusValue,
    confidences: number[],
    review?: WorkflowStateWithResults['review'],
  ): Promise<WorkflowStateWithResults> {
    const studyKey = await study(status);
    const results = [analyzerResult(confidences)];
    const reviewRequired = confidences.some((c) => c < 0.8);
    return {
      studyKey,
      version: 1,
      study: { schemaVersion: ANALYZER_CONTRACT_VERSION, studyKey, version: 1, images: [] },
      results,
      aggregate: { findingCount: confidences.length, maxConfidence: Math.max(0, ...confidences), reviewRequired, succeeded: ['quality'], failed: [], skipped: [] },
      review,
    };
  }

  test('writes ANALYSIS and REPORT items and both reports, and completes the study', async () => {
    const input = await state(StudyStatus.ANALYZING, [0.95]);
    const persisted = await persist()(input);
    const prefix = `studies/${input.studyKey}/reports/v1/`;
    expect(persisted).toEqual({ reportVersion: 1, fhirKey: `${prefix}diagnostic-report.json`, htmlKey: `${prefix}report.html`, status: 'COMPLETED' });

    const items = (await engines.doc.send(new QueryCommand({
      TableName: engines.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': studyPk(input.studyKey) },
    }))).Items ?? [];
    expect(items.find((i) => i.SK === 'ANALYSIS#quality#v0001')).toMatchObject({ modelId: 'image-quality', status: 'SUCCEEDED', version: 1 });
    expect(items.find((i) => i.SK === 'REPORT#0001')).toMatchObject({ reportStatus: 'final', fhirKey: persisted.fhirKey, htmlKey: persisted.htmlKey });
    expect(items.find((i) => i.SK === 'META')).toMatchObject({ status: 'COMPLETED' });

    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir).toMatchObject({ resourceType: 'DiagnosticReport', status: 'final', issued: NOW.toISOString() });
    expect(fhir.contained).toHaveLength(1);
    const html = await readReport(persisted.htmlKey);
    expect(html).toContain('Low contrast image');

    // A retry of the step is harmless.
    await expect(persist()(input)).resolves.toEqual(persisted);
  });

  test('a required review without a decision leaves the study IN_REVIEW with a preliminary report', async () => {
    const input = await state(StudyStatus.ANALYZING, [0.5]);
    expect((await persist()(input)).status).toBe('IN_REVIEW');
    expect(await getStudy(table, input.studyKey)).toMatchObject({ status: 'IN_REVIEW' });
  });

  test('a clinician REJECTED decision still completes and is recorded; the report stays preliminary', async () => {
    const input = await state(StudyStatus.IN_REVIEW, [0.5], { decision: 'REJECTED', reviewer: 'dr-pseudonym-1' });
    const persisted = await persist()(input);
    expect(persisted.status).toBe('COMPLETED');
    expect(await getStudy(table, input.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir.status).toBe('preliminary');
  });

  test('an APPROVED review releases a final report', async () => {
    const input = await state(StudyStatus.IN_REVIEW, [0.5], { decision: 'APPROVED' });
    const persisted = await persist()(input);
    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir.status).toBe('final');
  });

  test('refuses to complete a study that is not being analysed', async () => {
    const input = await state(StudyStatus.RECEIVING, [0.9]);
    await expect(persist()(input)).rejects.toMatchObject({ name: 'StudyStateError' });
    expect(await getStudy(table, input.studyKey)).toMatchObject({ status: 'RECEIVING' });
  });
});

describe('mark-failed', () => {
  const markFailed = () => handleMarkFailed({ table, events: events(), messages: messages(), log: silent, clock });
  const cause = 'Patient DOE^JANE MRN-0042 could not be processed';

  test('moves a non-terminal study to FAILED and notifies without the Cause', async () => {
    const studyKey = await study(StudyStatus.ANALYZING);
    const output = await markFailed()({ studyKey, version: 1, error: { Error: 'States.TaskFailed', Cause: cause } });
    expect(output).toMatchObject({ status: 'FAILED', errorName: 'States.TaskFailed', notified: true });
    expect(await getStudy(table, studyKey)).toMatchObject({ status: 'FAILED' });
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ DetailType: 'Study Failed', Source: 'medical-imaging-pipeline' });
    expect(JSON.parse(entries[0].Detail!)).toEqual({ studyKey, version: 1, errorName: 'States.TaskFailed' });
    const published = JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input));
    expect(published).toContain(studyKey);
    for (const text of [cause, 'DOE^JANE', 'MRN-0042']) {
      expect(JSON.stringify(entries)).not.toContain(text);
      expect(published).not.toContain(text);
    }
  });

  test('an error name that is not a plain type name is replaced', async () => {
    const studyKey = await study(StudyStatus.READY);
    expect((await markFailed()({ studyKey, version: 1, error: { Error: 'Failed for DOE^JANE at 1970-01-01' } })).errorName).toBe('Unknown');
  });

  test('does not touch a COMPLETED study or another version, and does not notify', async () => {
    const studyKey = await study(StudyStatus.ANALYZING);
    await transitionStudy(table, { studyKey, version: 1, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now: NOW.toISOString() });
    expect(await markFailed()({ studyKey, version: 1 })).toMatchObject({ status: 'COMPLETED', notified: false });
    const other = await study(StudyStatus.ANALYZING);
    expect(await markFailed()({ studyKey: other, version: 7 })).toMatchObject({ notified: false });
    expect(await getStudy(table, other)).toMatchObject({ status: 'ANALYZING' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a retry after success re-notifies but changes nothing', async () => {
    const studyKey = await study(StudyStatus.RECEIVING);
    await markFailed()({ studyKey, version: 1 });
    expect(await markFailed()({ studyKey, version: 1 })).toMatchObject({ status: 'FAILED', notified: true });
  });
});

describe('notify-outcome', () => {
  const notify = () => handleNotifyOutcome({ events: events(), messages: messages(), log: silent });
  const aggregate = { findingCount: 2, maxConfidence: 0.91, reviewRequired: false, succeeded: ['quality'], failed: [], skipped: [] };

  test('publishes the event and the SNS message with pseudonymous ids and counts only', async () => {
    const persisted = { reportVersion: 3, fhirKey: 'studies/k/reports/v3/diagnostic-report.json', htmlKey: 'studies/k/reports/v3/report.html', status: 'COMPLETED' };
    await notify()({ studyKey: 'k', version: 3, aggregate, persisted, detailType: 'Analysis Completed' });
    const entry = eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
    expect(entry).toMatchObject({ DetailType: 'Analysis Completed', EventBusName: 'bus', Source: 'medical-imaging-pipeline' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ studyKey: 'k', version: 3, findingCount: 2, reportKey: persisted.fhirKey });
    const message = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(message.TopicArn).toBe('arn:aws:sns:us-east-1:111122223333:topic');
    expect(message.Message).toContain('Findings: 2');
    expect(message.Message).toContain(persisted.fhirKey);
  });

  test('refuses an unknown detail type', async () => {
    await expect(notify()({ studyKey: 'k', version: 1, aggregate, detailType: 'Study Failed' }))
      .rejects.toMatchObject({ name: 'InvalidStepInputError' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
