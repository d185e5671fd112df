/**
 * A held study from the workflow's side: the review request keeps the task
 * token in the table and out of every event and message; a missed deadline
 * issues a preliminary report and leaves the study IN_REVIEW, overdue; an
 * amended decision changes the findings of the final report; a report after a
 * final one is `amended`.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { outcomeOf } from '../../../src/core/analysis';
import { thresholdRules, triageFindings } from '../../../src/core/findings';
import { handlePersistResults } from '../../../src/runtime/handlers/workflow/persist-results.lambda';
import { handleRequestReview } from '../../../src/runtime/handlers/workflow/request-review.lambda';
import { persistResults } from '../../../src/runtime/steps/persist-results';
import { getStudy, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { putJson } from '../../../src/runtime/storage/objects';
import { getReview, markDecisionDelivered, takeDecision } from '../../../src/runtime/storage/reviews';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { instanceSk, manifestKey, StudyStatus } from '../../../src/shared/records';
import { AggregateSummary, WorkflowStateWithResults } from '../../../src/shared/workflow';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { testStudyKey } from '../../support/study-keys';

const log = silentLog();
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAcV-task-token-that-must-stay-in-the-table';
const NOW = new Date('2025-07-01T10:00:00.000Z');

const local = useLocalEngines();
const publishers = usePublisherMocks();
const request = () => handleRequestReview({
  table: local.table, events: publishers.events(), messages: publishers.messages(), log, clock: () => NOW,
});
const persistDeps = () => ({ table: local.table, s3: local.engines.s3, reportsBucket: local.engines.buckets.reports, log, clock: () => NOW });
const persist = () => handlePersistResults(persistDeps());

let counter = 0;
/** An ANALYZING study with one analyzer result (stored in S3) and its triage under the default rules. */
async function heldStudy(confidences: number[]): Promise<WorkflowStateWithResults> {
  const studyKey = testStudyKey(`rv${++counter}`);
  const at = NOW.toISOString();
  await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk('s', 'i'), arrivedAt: at, singleImage: true, now: at });
  await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: at });
  await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: at });
  const result: AnalyzerResult = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'cxr',
    modelId: 'acme.cxr',
    modelVersion: '2',
    status: AnalyzerStatus.SUCCEEDED,
    durationMs: 3,
    findings: confidences.map((confidence, i) => ({ label: `Finding ${i}`, confidence, imageRef: 's/i' })),
  };
  const stored = { bucket: local.engines.buckets.derived, key: `studies/${studyKey}/v0001/analyses/cxr/result.json` };
  await putJson(local.engines.s3, stored, result);
  const outcome = outcomeOf({ ...result, imageCount: 1, failedImageCount: 0 }, stored);
  const triage = triageFindings([result], thresholdRules(0.8));
  const triageObject = { bucket: local.engines.buckets.derived, key: `studies/${studyKey}/v0001/triage.json` };
  await putJson(local.engines.s3, triageObject, triage.findings);
  const aggregate: AggregateSummary = { ...triage.summary, triage: triageObject };
  return {
    studyKey,
    version: 1,
    results: [outcome],
    aggregate,
    study: {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey,
      version: 1,
      imageCount: 1,
      seriesCount: 1,
      modalities: ['DX'],
      bodyParts: [],
      sourceKinds: ['DICOM'],
      requiresReview: false,
      manifest: { bucket: local.engines.buckets.derived, key: manifestKey(studyKey, 1) },
    },
  };
}

const published = () => JSON.stringify([...publishers.entries(), ...publishers.messagesSent()]);
async function html(key: string): Promise<string> {
  return (await local.engines.s3.send(new GetObjectCommand({ Bucket: local.engines.buckets.reports, Key: key }))).Body!.transformToString();
}

test('a review request stores the token in the table only, moves the study IN_REVIEW with its deadline and announces it with the priority', async () => {
  const state = await heldStudy([0.5]);
  const output = await request()({ ...state, taskToken: TOKEN, deadlineSeconds: 3600 });
  expect(output).toEqual({ requested: true });
  expect(await getReview(local.table, state.studyKey, 1)).toMatchObject({ reviewStatus: 'PENDING', taskToken: TOKEN, priority: 'ROUTINE', deadline: '2025-07-01T11:00:00.000Z' });
  expect(await getStudy(local.table, state.studyKey)).toMatchObject({ status: 'IN_REVIEW', priority: 'ROUTINE', reviewDeadline: '2025-07-01T11:00:00.000Z', reviewOverdue: false });
  const entry = publishers.entries()[0];
  expect(entry.DetailType).toBe('Review Required');
  expect(JSON.parse(entry.Detail!)).toEqual({
    schemaVersion: '1', studyKey: state.studyKey, version: 1, priority: 'ROUTINE', deadline: '2025-07-01T11:00:00.000Z', findingCount: 1, heldCount: 1, reviewReasons: ['FINDING_HELD'],
  });
  const message = publishers.messagesSent()[0];
  expect(message.MessageAttributes).toEqual({
    eventType: { DataType: 'String', StringValue: 'Review Required' },
    priority: { DataType: 'String', StringValue: 'ROUTINE' },
  });
  expect(published()).not.toContain(TOKEN);
  expect(published()).not.toContain('task-token');
  expect(JSON.stringify((log.info as jest.Mock).mock.calls)).not.toContain(TOKEN);
});

test('a retried request after a decision does not replace the token or undo the decision; delivery removes the token', async () => {
  const state = await heldStudy([0.5]);
  await request()({ ...state, taskToken: TOKEN, deadlineSeconds: 3600 });
  await takeDecision(local.table, state.studyKey, 1, { decision: 'APPROVED', reviewer: 'dr-1', decidedAt: NOW.toISOString() });
  expect(await request()({ ...state, taskToken: `${TOKEN}-2`, deadlineSeconds: 3600 })).toEqual({ requested: false });
  expect(await getReview(local.table, state.studyKey, 1)).toMatchObject({ reviewStatus: 'DECIDED', decision: 'APPROVED', delivered: false, taskToken: TOKEN });
  expect(await markDecisionDelivered(local.table, state.studyKey, 1)).toBe(true);
  const review = await getReview(local.table, state.studyKey, 1);
  expect([review?.delivered, review?.taskToken]).toEqual([true, undefined]);
});

test('at the deadline: a preliminary report, the study stays IN_REVIEW marked overdue, the token is gone; a second decision is refused', async () => {
  const state = await heldStudy([0.5]);
  await request()({ ...state, taskToken: TOKEN, deadlineSeconds: 60 });
  const persisted = await persist()({ ...state, review: { decision: 'TIMED_OUT' } });
  expect(persisted).toMatchObject({ reportVersion: 1, status: 'IN_REVIEW' });
  expect(JSON.parse(await html(persisted.fhirKey)).status).toBe('preliminary');
  expect(await getStudy(local.table, state.studyKey)).toMatchObject({ status: 'IN_REVIEW', reviewOverdue: true, reportRevision: 1 });
  const review = await getReview(local.table, state.studyKey, 1);
  expect(review).toMatchObject({ reviewStatus: 'OVERDUE' });
  expect(review?.taskToken).toBeUndefined();
  // A late decision is still taken once (it issues revision 2, see the review API); a repeat is not.
  expect(await takeDecision(local.table, state.studyKey, 1, { decision: 'APPROVED', reviewer: 'dr-2', decidedAt: NOW.toISOString() })).toMatchObject({ reviewStatus: 'OVERDUE' });
  expect(await takeDecision(local.table, state.studyKey, 1, { decision: 'REJECTED', reviewer: 'dr-3', decidedAt: NOW.toISOString() })).toBeUndefined();
  const deps = persistDeps();
  const late = await persistResults(deps, { ...state, review: { decision: 'APPROVED', reviewer: 'dr-2' } }, { revision: 2 });
  expect(late).toMatchObject({ reportVersion: 2, status: 'COMPLETED' });
  expect(JSON.parse(await html(late.fhirKey)).status).toBe('final');
  expect(JSON.parse(await html(persisted.fhirKey)).status).toBe('preliminary'); // revision 1 is kept
  expect(await getStudy(local.table, state.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'APPROVED', reportRevision: 2 });
});

test('an amended decision changes the findings of the final report; the report after it is amended', async () => {
  const state = await heldStudy([0.5, 0.95]);
  await request()({ ...state, taskToken: TOKEN, deadlineSeconds: 3600 });
  await takeDecision(local.table, state.studyKey, 1, {
    decision: 'AMENDED',
    reviewer: 'dr-4',
    decidedAt: NOW.toISOString(),
    amendments: [
      { type: 'REMOVE', findingIndex: 0, reason: 'Artefact, not a finding' },
      { type: 'RELABEL', findingIndex: 1, label: 'Right pleural effusion', reason: 'More specific' },
      { type: 'ADD', label: 'Rib fracture', imageRef: 's/i', reason: 'Missed by the model' },
    ],
  });
  const persisted = await persist()({ ...state, review: { decision: 'AMENDED', reviewer: 'dr-4' } });
  const fhir = await html(persisted.fhirKey);
  expect(JSON.parse(fhir).status).toBe('final');
  const report = await html(persisted.htmlKey);
  expect(report).not.toContain('Finding 0');
  expect(report).not.toContain('Finding 1');
  expect(report).toContain('Right pleural effusion');
  expect(report).toContain('Rib fracture');
  // A later revision of the same version (e.g. a decision after re-review) follows a final report: amended.
  const deps = persistDeps();
  const again = await persistResults(deps, { ...state, review: { decision: 'APPROVED', reviewer: 'dr-5' } }, { revision: 2 });
  expect(again.fhirKey).toBe(`studies/${state.studyKey}/reports/v1/r2/diagnostic-report.json`);
  expect(JSON.parse(await html(again.fhirKey)).status).toBe('amended');
  // The FHIR bundles follow the same lifecycle, each revision kept: final (with the amending clinician), then amended.
  const bundleOf = async (key: string) => JSON.parse(await html(key.replace('diagnostic-report.json', 'fhir-bundle.json')));
  const [first, second] = [await bundleOf(persisted.fhirKey), await bundleOf(again.fhirKey)];
  const resource = (bundle: any, type: string) => bundle.entry.find((e: any) => e.resource.resourceType === type).resource;
  expect(resource(first, 'DiagnosticReport').status).toBe('final');
  expect(resource(first, 'Provenance').agent.at(-1).who.identifier.value).toBe('dr-4');
  expect(resource(second, 'DiagnosticReport').status).toBe('amended');
  expect(resource(second, 'Provenance').activity.coding[0].code).toBe('UPDATE');
  expect(resource(second, 'Provenance').agent.at(-1).who.identifier.value).toBe('dr-5');
});

test('a review request for a version a late instance superseded ends that run quietly (StudySuperseded), storing nothing announced', async () => {
  const state = await heldStudy([0.5]);
  const later = '2025-07-01T10:05:00.000Z';
  await transitionStudy(local.table, { studyKey: state.studyKey, version: 1, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now: later });
  await recordStudyArrival(local.table, { studyKey: state.studyKey, instanceSk: instanceSk('s', 'late'), arrivedAt: later, singleImage: false, now: later });
  expect(await getStudy(local.table, state.studyKey)).toMatchObject({ version: 2, status: 'RECEIVING' });
  await expect(request()({ ...state, taskToken: TOKEN, deadlineSeconds: 3600 })).rejects.toMatchObject({ name: 'StudySuperseded' });
  expect(publishers.entries()).toHaveLength(0);
  expect(publishers.messagesSent()).toHaveLength(0);
});
