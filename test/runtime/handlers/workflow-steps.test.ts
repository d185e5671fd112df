import { GetObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { outcomeOf } from '../../../src/core/analysis';
import { thresholdRules } from '../../../src/core/findings';
import { handleAggregateFindings } from '../../../src/runtime/handlers/workflow/aggregate-findings.lambda';
import { handleMarkFailed } from '../../../src/runtime/handlers/workflow/mark-failed.lambda';
import { handleNotifyOutcome } from '../../../src/runtime/handlers/workflow/notify-outcome.lambda';
import { handlePersistResults } from '../../../src/runtime/handlers/workflow/persist-results.lambda';
import { handleSelectImages } from '../../../src/runtime/handlers/workflow/select-images.lambda';
import { getStudy, recordInstance, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { putJson } from '../../../src/runtime/storage/objects';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus, StudyContext } from '../../../src/shared/analyzer-result';
import { FindingRule } from '../../../src/shared/finding-rules';
import { instanceSk, manifestKey, StudyStatus, StudyStatusValue, studyPk } from '../../../src/shared/records';
import { AnalyzerOutcome, WorkflowStateWithResults } from '../../../src/shared/workflow';
import { fhirSchemaErrors } from '../../support/fhir-schema';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { analyzerResult } from '../../support/report-fixtures';
import { testStudyKey } from '../../support/study-keys';
import { summaryOf } from '../../support/summaries';

const local = useLocalEngines();
const publishers = usePublisherMocks();
const silent = silentLog();
const NOW = new Date('2025-03-01T12:00:00.000Z');
const clock = () => NOW;

let counter = 0;
/** A study with `instances` instances, moved to `status` (version 1). */
async function study(status: StudyStatusValue, instances = 2, flagged: number[] = []): Promise<string> {
  const studyKey = testStudyKey(`wf${++counter}`);
  for (let i = 1; i <= instances; i++) {
    const prefix = `studies/${studyKey}/s1/i${i}/`;
    await recordInstance(local.table, {
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
    await recordStudyArrival(local.table, {
      studyKey, instanceSk: instanceSk('s1', `i${i}`), arrivedAt: `2025-03-01T11:00:0${i}.000Z`, singleImage: false, now: NOW.toISOString(),
    });
  }
  const path: StudyStatusValue[] = [StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.IN_REVIEW];
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of path) {
    if (from === status) break;
    await transitionStudy(local.table, { studyKey, version: 1, from: [from], to: next, now: NOW.toISOString() });
    from = next;
  }
  return studyKey;
}


/** A quality result with one low-contrast finding per confidence. */
function lowContrastResult(confidences: number[]): AnalyzerResult {
  return analyzerResult(confidences.map((confidence) => ({ label: 'Low contrast image', code: 'IQ-LOW-CONTRAST', codeSystem: 'urn:iq', confidence, imageRef: 's1/i1' })),
    { durationMs: 3 });
}

/** An analyzer's study result stored where the collect step puts it, and the outcome that points at it. */
let resultCounter = 0;
async function stored(result: AnalyzerResult): Promise<AnalyzerOutcome> {
  const location = { bucket: local.engines.buckets.derived, key: `studies/test/v0001/analyses/${result.analyzerName}/result-${++resultCounter}.json` };
  await putJson(local.engines.s3, location, result);
  return outcomeOf({ ...result, imageCount: 1, failedImageCount: 0 }, location);
}

async function loadResult(outcome: AnalyzerOutcome): Promise<AnalyzerResult> {
  const object = await local.engines.s3.send(new GetObjectCommand({ Bucket: outcome.result!.bucket, Key: outcome.result!.key }));
  return JSON.parse(await object.Body!.transformToString()) as AnalyzerResult;
}

function context(studyKey: string): StudyContext {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    studyKey,
    version: 1,
    imageCount: 1,
    seriesCount: 1,
    modalities: ['CT'],
    bodyParts: [],
    sourceKinds: ['DICOM'],
    requiresReview: false,
    manifest: { bucket: local.engines.buckets.derived, key: manifestKey(studyKey, 1) },
  };
}

describe('select-images', () => {
  const select = () => handleSelectImages({
    table: local.table, s3: local.engines.s3, derivedBucket: local.engines.buckets.derived, log: silent, clock,
  });

  test('claims READY -> ANALYZING, writes the manifest of every instance and returns a bounded summary', async () => {
    const studyKey = await study(StudyStatus.READY);
    const summary = await select()({ studyKey, version: 1 });
    const manifest = { bucket: local.engines.buckets.derived, key: `studies/${studyKey}/v0001/manifest.json` };
    expect(summary).toEqual({
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey,
      version: 1,
      imageCount: 2,
      seriesCount: 1,
      modalities: ['CT'],
      bodyParts: [],
      sourceKinds: ['DICOM'],
      requiresReview: false,
      manifest,
    });
    const object = await local.engines.s3.send(new GetObjectCommand({ Bucket: manifest.bucket, Key: manifest.key }));
    const images = JSON.parse(await object.Body!.transformToString());
    expect(images).toEqual([1, 2].map((i) => ({
      imageRef: `s1/i${i}`,
      bucket: local.engines.buckets.derived,
      previewKey: `studies/${studyKey}/s1/i${i}/preview.png`,
      analysisKey: `studies/${studyKey}/s1/i${i}/analysis.png`,
      width: 64,
      height: 32,
      analysisWidth: 64,
      analysisHeight: 32,
      modality: 'CT',
      sourceKind: 'DICOM',
      seriesKey: 's1',
    })));
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'ANALYZING' });
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
    expect(await getStudy(local.table, ready)).toMatchObject({ status: 'READY' });
  });

  test('rejects malformed input', async () => {
    await expect(select()({ studyKey: '', version: 1 })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('aggregate-findings', () => {
  const aggregate = () => handleAggregateFindings({ s3: local.engines.s3, derivedBucket: local.engines.buckets.derived, log: silent });
  const request = (results: AnalyzerOutcome[], findingRules: FindingRule[] = thresholdRules(0.8), studyRequiresReview = false) =>
    ({ studyKey: 'agg', version: 1, results, findingRules, studyRequiresReview });

  test('reads the results from S3, applies the rules and stores every decision beside them', async () => {
    const results = [await stored(lowContrastResult([0.85, 0.5]))];
    const summary = await aggregate()(request(results));
    expect(summary).toMatchObject({ reviewRequired: true, findingCount: 2, heldCount: 1, maxConfidence: 0.85, priority: 'ROUTINE' });
    expect(summary.triage).toEqual({ bucket: local.engines.buckets.derived, key: 'studies/agg/v0001/triage.json' });
    const object = await local.engines.s3.send(new GetObjectCommand({ Bucket: local.engines.buckets.derived, Key: summary.triage!.key }));
    const triage = JSON.parse(await object.Body!.transformToString());
    expect(triage.map((f: { action: string; analyzerName: string }) => [f.analyzerName, f.action])).toEqual([['quality', 'RELEASE'], ['quality', 'HOLD_FOR_REVIEW']]);
    expect((await aggregate()(request(results, thresholdRules(0.4)))).reviewRequired).toBe(false);
    expect((await aggregate()(request(results, thresholdRules(0.4), true))).reviewReasons).toEqual(['BURNED_IN_ANNOTATION']);
  });

  test('an outcome without a stored result (skipped, or failed early) counts by its status', async () => {
    const skipped: AnalyzerOutcome = {
      analyzerName: 'cxr',
      modelId: 'm',
      modelVersion: '1',
      status: AnalyzerStatus.SKIPPED,
      findingCount: 0,
      durationMs: 0,
      imageCount: 0,
      failedImageCount: 0,
      skipReason: 'MODALITY_NOT_APPLICABLE',
    };
    const summary = await aggregate()(request([await stored(lowContrastResult([0.9])), skipped], thresholdRules(0.5)));
    expect(summary).toMatchObject({ succeeded: ['quality'], skipped: ['cxr'], failed: [], reviewRequired: false });
  });

  test('a result reference that no longer resolves, or a malformed request, fails the step', async () => {
    const outcome = await stored(lowContrastResult([0.9]));
    await expect(aggregate()(request([{ ...outcome, result: { ...outcome.result!, key: 'studies/none.json' } }])))
      .rejects.toMatchObject({ name: 'StudyStateError' });
    await expect(aggregate()({ ...request([outcome]), findingRules: undefined } as never)).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('persist-results', () => {
  const persist = () => handlePersistResults({
    table: local.table, s3: local.engines.s3, reportsBucket: local.engines.buckets.reports, log: silent, clock,
  });

  async function readReport(key: string): Promise<string> {
    return (await local.engines.s3.send(new GetObjectCommand({ Bucket: local.engines.buckets.reports, Key: key }))).Body!.transformToString();
  }

  async function state(
    status: StudyStatusValue,
    confidences: number[],
    review?: WorkflowStateWithResults['review'],
  ): Promise<WorkflowStateWithResults> {
    const studyKey = await study(status);
    const results = [await stored(lowContrastResult(confidences))];
    const reviewRequired = confidences.some((c) => c < 0.8);
    return {
      studyKey,
      version: 1,
      study: context(studyKey),
      results,
      aggregate: summaryOf(confidences, { reviewRequired, reviewReasons: reviewRequired ? ['FINDING_HELD'] : [] }),
      review,
    };
  }

  test('writes ANALYSIS and REPORT items and both reports, and completes the study', async () => {
    const input = await state(StudyStatus.ANALYZING, [0.95]);
    const persisted = await persist()(input);
    const prefix = `studies/${input.studyKey}/reports/v1/r1/`;
    expect(persisted).toEqual({ reportVersion: 1, fhirKey: `${prefix}diagnostic-report.json`, htmlKey: `${prefix}report.html`, status: 'COMPLETED' });

    const items = (await local.engines.doc.send(new QueryCommand({
      TableName: local.engines.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': studyPk(input.studyKey) },
    }))).Items ?? [];
    // The ANALYSIS item holds the outcome and where the full result is, not the findings (they can outgrow an item).
    const analysis = items.find((i) => i.SK === 'ANALYSIS#quality#v0001');
    expect(analysis).toMatchObject({ modelId: 'image-quality', status: 'SUCCEEDED', version: 1, findingCount: 1, result: input.results[0].result });
    expect(analysis?.findings).toBeUndefined();
    expect(items.find((i) => i.SK === 'REPORT#0001#01')).toMatchObject({ reportStatus: 'final', revision: 1, fhirKey: persisted.fhirKey, htmlKey: persisted.htmlKey });
    expect(items.find((i) => i.SK === 'META')).toMatchObject({ status: 'COMPLETED' });

    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir).toMatchObject({ resourceType: 'DiagnosticReport', status: 'final', issued: NOW.toISOString() });
    expect(fhir.contained).toHaveLength(1);
    const html = await readReport(persisted.htmlKey);
    expect(html).toContain('Low contrast image');
    // The FHIR R4 Bundle sits beside them, is indexed on the REPORT item and is valid R4.
    const bundleKey = `${prefix}fhir-bundle.json`;
    expect(items.find((i) => i.SK === 'REPORT#0001#01')).toMatchObject({ bundleKey });
    const bundle = JSON.parse(await readReport(bundleKey));
    expect(bundle.entry.map((e: any) => e.resource.resourceType)).toEqual(['DiagnosticReport', 'Observation', 'Device', 'Provenance']);
    expect(fhirSchemaErrors(bundle)).toEqual([]);

    // A retry of the step is harmless.
    await expect(persist()(input)).resolves.toEqual(persisted);
  });

  test('a finding the rules suppressed stays out of both reports', async () => {
    const input = await state(StudyStatus.ANALYZING, [0.95, 0.9]);
    const result = await loadResult(input.results[0]);
    const triage = result.findings.map((finding, i) => ({
      analyzerName: 'quality', finding: i === 0 ? finding : { ...finding, label: 'Suppressed noise' }, action: i === 0 ? 'RELEASE' : 'SUPPRESS', priority: 'ROUTINE', rule: i,
    }));
    const triageObject = { bucket: local.engines.buckets.derived, key: `studies/${input.studyKey}/v0001/triage.json` };
    await putJson(local.engines.s3, triageObject, triage);
    const persisted = await persist()({ ...input, aggregate: { ...input.aggregate, findingCount: 1, suppressedCount: 1, triage: triageObject } });
    const html = await readReport(persisted.htmlKey);
    expect(html).toContain('Low contrast image');
    expect(html).not.toContain('Suppressed noise');
    expect(JSON.stringify(JSON.parse(await readReport(persisted.fhirKey)))).not.toContain('Suppressed noise');
  });

  test('a required review without a decision leaves the study IN_REVIEW with a preliminary report', async () => {
    const input = await state(StudyStatus.ANALYZING, [0.5]);
    expect((await persist()(input)).status).toBe('IN_REVIEW');
    expect(await getStudy(local.table, input.studyKey)).toMatchObject({ status: 'IN_REVIEW' });
  });

  test('a clinician REJECTED decision still completes and is recorded; the report stays preliminary', async () => {
    const input = await state(StudyStatus.IN_REVIEW, [0.5], { decision: 'REJECTED', reviewer: 'dr-pseudonym-1' });
    const persisted = await persist()(input);
    expect(persisted.status).toBe('COMPLETED');
    expect(await getStudy(local.table, input.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir.status).toBe('preliminary');
  });

  test('an APPROVED review releases a final report', async () => {
    const input = await state(StudyStatus.IN_REVIEW, [0.5], { decision: 'APPROVED', reviewer: 'dr-pseudonym-2' });
    const persisted = await persist()(input);
    const fhir = JSON.parse(await readReport(persisted.fhirKey));
    expect(fhir.status).toBe('final');
    const bundle = JSON.parse(await readReport(persisted.fhirKey.replace('diagnostic-report.json', 'fhir-bundle.json')));
    const provenance = bundle.entry.find((e: any) => e.resource.resourceType === 'Provenance').resource;
    expect(provenance.agent.at(-1)).toMatchObject({ type: { coding: [{ code: 'attester' }] }, who: { identifier: { value: 'dr-pseudonym-2' } } });
  });

  test('refuses to complete a study that is not being analysed', async () => {
    const input = await state(StudyStatus.RECEIVING, [0.9]);
    await expect(persist()(input)).rejects.toMatchObject({ name: 'StudyStateError' });
    expect(await getStudy(local.table, input.studyKey)).toMatchObject({ status: 'RECEIVING' });
  });
});

describe('mark-failed', () => {
  const markFailed = () => handleMarkFailed({ table: local.table, events: publishers.events(), messages: publishers.messages(), log: silent, clock });
  const cause = 'Patient DOE^JANE MRN-0042 could not be processed';

  test('moves a non-terminal study to FAILED and notifies without the Cause', async () => {
    const studyKey = await study(StudyStatus.ANALYZING);
    const output = await markFailed()({ studyKey, version: 1, error: { Error: 'States.TaskFailed', Cause: cause } });
    expect(output).toMatchObject({ status: 'FAILED', errorName: 'States.TaskFailed', notified: true });
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'FAILED' });
    const entries = publishers.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ DetailType: 'Study Failed', Source: 'medical-imaging-pipeline' });
    expect(JSON.parse(entries[0].Detail!)).toEqual({ schemaVersion: '1', studyKey, version: 1, errorName: 'States.TaskFailed', reasonCode: 'STEP_FAILED' });
    const published = JSON.stringify(publishers.messagesSent());
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
    await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now: NOW.toISOString() });
    expect(await markFailed()({ studyKey, version: 1 })).toMatchObject({ status: 'COMPLETED', notified: false });
    const other = await study(StudyStatus.ANALYZING);
    expect(await markFailed()({ studyKey: other, version: 7 })).toMatchObject({ notified: false });
    expect(await getStudy(local.table, other)).toMatchObject({ status: 'ANALYZING' });
    expect(publishers.entries()).toHaveLength(0);
    expect(publishers.messagesSent()).toHaveLength(0);
  });

  test('a retry after success re-notifies but changes nothing', async () => {
    const studyKey = await study(StudyStatus.RECEIVING);
    await markFailed()({ studyKey, version: 1 });
    expect(await markFailed()({ studyKey, version: 1 })).toMatchObject({ status: 'FAILED', notified: true });
  });
});

describe('notify-outcome', () => {
  const notify = () => handleNotifyOutcome({ events: publishers.events(), messages: publishers.messages(), log: silent });
  const aggregate = summaryOf([0.91, 0.85]);
  const K = testStudyKey('notify');

  test('publishes the event and the SNS message with pseudonymous ids and counts only', async () => {
    const persisted = { reportVersion: 1, fhirKey: `studies/${K}/reports/v3/r1/diagnostic-report.json`, htmlKey: `studies/${K}/reports/v3/r1/report.html`, status: 'COMPLETED' };
    await notify()({ studyKey: K, version: 3, aggregate, persisted, detailType: 'Analysis Completed' });
    const entry = publishers.entries()[0];
    expect(entry).toMatchObject({ DetailType: 'Analysis Completed', EventBusName: 'bus', Source: 'medical-imaging-pipeline' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ schemaVersion: '1', studyKey: K, version: 3, findingCount: 2, reportKey: persisted.fhirKey });
    const message = publishers.messagesSent()[0];
    expect(message.TopicArn).toBe('arn:aws:sns:us-east-1:111122223333:topic');
    expect(message.Message).toContain('Findings: 2');
    expect(message.Message).toContain(persisted.fhirKey);
  });

  test('at the deadline: Review Overdue, unless the deadline step applied a recorded decision (then Analysis Completed)', async () => {
    const persisted = { reportVersion: 1, fhirKey: `studies/${K}/reports/v1/r1/diagnostic-report.json`, htmlKey: `studies/${K}/reports/v1/r1/report.html` };
    const overdue = { studyKey: K, version: 1, aggregate, detailType: 'Review Overdue' as const, review: { decision: 'TIMED_OUT' } };
    await notify()({ ...overdue, persisted: { ...persisted, status: 'IN_REVIEW' } });
    await notify()({ ...overdue, persisted: { ...persisted, status: 'COMPLETED', reviewDecision: 'REJECTED' } });
    expect(publishers.entries().map((e) => [e.DetailType, JSON.parse(e.Detail!).reviewDecision])).toEqual([['Review Overdue', 'TIMED_OUT'], ['Analysis Completed', 'REJECTED']]);
    expect(publishers.messagesSent().map((m) => m.Subject)).toEqual(['Imaging pipeline: Review Overdue (ROUTINE)', 'Imaging pipeline: Analysis Completed']);
  });

  test('refuses an unknown detail type', async () => {
    await expect(notify()({ studyKey: K, version: 1, aggregate, detailType: 'Study Failed' }))
      .rejects.toMatchObject({ name: 'InvalidStepInputError' });
    expect(publishers.entries()).toHaveLength(0);
  });
});
