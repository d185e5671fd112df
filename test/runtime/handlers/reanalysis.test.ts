/**
 * The re-analysis steps against dynalite and s3rver: selection, opening a
 * version (and refusing deleted or busy studies), the workflow taking the
 * order from the study it claims and carrying over analyzers a re-analysis did
 * not ask for (a normal run reads no order), a study's result with its change
 * summary, the run's summary and event, and the study form's starter.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { TriagedFinding } from '../../../src/core/findings';
import { runItemsKey, runResultKey, runSummaryKey } from '../../../src/core/reanalysis';
import { collectAnalysis } from '../../../src/runtime/steps/collect-analysis';
import { planAnalysis } from '../../../src/runtime/steps/plan-analysis';
import { finishRun } from '../../../src/runtime/steps/reanalysis-finish';
import { openReanalysisVersion } from '../../../src/runtime/steps/reanalysis-open';
import { changesKey, recordStudyResult } from '../../../src/runtime/steps/reanalysis-record';
import { startRequestedReanalysis } from '../../../src/runtime/steps/reanalysis-request';
import { selectStudies } from '../../../src/runtime/steps/reanalysis-select';
import { selectImages } from '../../../src/runtime/steps/select-images';
import { InvalidStepInputError } from '../../../src/runtime/steps/workflow-input';
import { getStudy, recordInstance, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { deleteObject, getJson, putJson } from '../../../src/runtime/storage/objects';
import { ImageSelectionStrategy } from '../../../src/shared/analysis-plan';
import { ANALYZER_CONTRACT_VERSION, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { FindingAction, StudyPriority } from '../../../src/shared/finding-rules';
import { analysisPrefix, instanceSk, manifestKey, StudyStatus, StudyStatusValue, triageKey } from '../../../src/shared/records';
import { WorkflowStudy } from '../../../src/shared/workflow';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { testStudyKey } from '../../support/study-keys';

const local = useLocalEngines();
const publishers = usePublisherMocks();
const NOW = '2025-03-01T12:00:00.000Z';
const clock = () => new Date(NOW);
const s3 = () => local.engines.s3;
const derived = () => local.engines.buckets.derived;
const reports = () => local.engines.buckets.reports;
const openDeps = () => ({ table: local.table, s3: s3(), derivedBucket: derived(), clock });

/** The S3 commands `client` sends while `run` runs, by name and key (the engine still answers them). */
async function s3Commands<T>(client: S3Client, run: () => Promise<T>): Promise<{ value: T; commands: string[] }> {
  const send = jest.spyOn(client, 'send');
  try {
    const value = await run();
    const commands = send.mock.calls.map(([command]) => `${command.constructor.name} ${String((command.input as { Key?: string }).Key)}`);
    return { value, commands };
  } finally {
    send.mockRestore();
  }
}

let counter = 0;
/** A single-image study of `modality` received at `receivedAt`, with its analysis image stored, moved to `status`. */
async function study(status: StudyStatusValue, options: { modality?: string; receivedAt?: string } = {}): Promise<string> {
  const studyKey = testStudyKey(`reanalysis-step-${++counter}`);
  const prefix = `studies/${studyKey}/s1/i1/`;
  const receivedAt = options.receivedAt ?? '2025-03-01T11:00:00.000Z';
  await recordInstance(local.table, {
    studyKey,
    seriesKey: 's1',
    instanceKey: 'i1',
    kind: 'dicom',
    modality: options.modality ?? 'DX',
    width: 96,
    height: 96,
    analysisWidth: 96,
    analysisHeight: 96,
    previewKey: `${prefix}preview.png`,
    analysisKey: `${prefix}analysis.png`,
    metadataKey: `${prefix}metadata.json`,
    sourceSha256: 'a'.repeat(64),
    receivedAt,
  });
  await putJson(s3(), { bucket: derived(), key: `${prefix}analysis.png` }, 'png');
  await recordStudyArrival(local.table, {
    studyKey, instanceSk: instanceSk('s1', 'i1'), arrivedAt: receivedAt, singleImage: true, modality: options.modality ?? 'DX', now: receivedAt,
  });
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of [StudyStatus.READY, StudyStatus.ANALYZING, status === StudyStatus.IN_REVIEW ? StudyStatus.IN_REVIEW : StudyStatus.COMPLETED]) {
    if (from === status) break;
    await transitionStudy(local.table, { studyKey, version: 1, from: [from], to: next, now: NOW });
    from = next;
  }
  return studyKey;
}

describe('Select studies', () => {
  const deps = () => ({ table: local.table, s3: s3(), reportsBucket: reports(), analyzerNames: ['image-quality', 'rekognition'] });

  test('completed studies in the date range and modality, written as the item list', async () => {
    const inside = await study(StudyStatus.COMPLETED, { modality: 'CR', receivedAt: '2031-01-10T00:00:00.000Z' });
    await study(StudyStatus.COMPLETED, { modality: 'CT', receivedAt: '2031-01-11T00:00:00.000Z' });
    await study(StudyStatus.COMPLETED, { modality: 'CR', receivedAt: '2031-03-01T00:00:00.000Z' });
    await study(StudyStatus.IN_REVIEW, { modality: 'CR', receivedAt: '2031-01-12T00:00:00.000Z' });
    const selected = await selectStudies(deps(), {
      runId: 'run-dates', request: { analyzers: ['rekognition'], receivedFrom: '2031-01-01', receivedBefore: '2031-02-01', modalities: ['CR'] },
    });
    expect(selected).toEqual({ runId: 'run-dates', analyzers: ['rekognition'], studyCount: 1, items: { bucket: reports(), key: runItemsKey('run-dates') } });
    expect(await getJson(s3(), selected.items)).toEqual([{ studyKey: inside }]);
  });

  test('an explicit list is taken as given (a deleted study is reported by its own item); an unknown analyzer is refused', async () => {
    const gone = testStudyKey('never-stored');
    const selected = await selectStudies(deps(), { runId: 'run-list', request: { studyKeys: [gone] } });
    expect([selected.studyCount, selected.analyzers]).toEqual([1, ['image-quality', 'rekognition']]);
    await expect(selectStudies(deps(), { runId: 'run-list', request: { analyzers: ['v2-model'] } })).rejects.toThrow(/does not run/);
  });
});

describe('Open version', () => {
  test('a completed study gets version 2, READY, with its order marked on the study (nothing written to S3); a retry of the run is a no-op', async () => {
    const studyKey = await study(StudyStatus.COMPLETED);
    const input = { runId: 'run-a', analyzers: ['rekognition'], study: { studyKey } };
    const { value: opened, commands } = await s3Commands(s3(), () => openReanalysisVersion(openDeps(), input));
    expect(opened).toEqual({ studyKey, previousVersion: 1, version: 2, executionName: `study-${studyKey}-v2` });
    expect(commands).toEqual([`HeadObjectCommand studies/${studyKey}/s1/i1/analysis.png`]);
    expect(await getStudy(local.table, studyKey)).toMatchObject({
      status: 'READY', version: 2, updatedAt: NOW, reanalysis: { runId: 'run-a', version: 2, previousVersion: 1, analyzers: ['rekognition'] },
    });
    await transitionStudy(local.table, { studyKey, version: 2, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: NOW });
    expect(await openReanalysisVersion(openDeps(), input)).toEqual(opened);
    await expect(openReanalysisVersion(openDeps(), { ...input, runId: 'run-b' })).rejects.toMatchObject({ name: 'StudyBusy' });
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'ANALYZING', version: 2 });
  });

  test('a study deleted in between (record, or de-identified images) is StudyNotFound, and nothing changes', async () => {
    await expect(openReanalysisVersion(openDeps(), { runId: 'r', analyzers: ['a'], study: { studyKey: testStudyKey('deleted') } }))
      .rejects.toMatchObject({ name: 'StudyNotFound', message: "The study's record no longer exists" });
    const studyKey = await study(StudyStatus.COMPLETED);
    await deleteObject(s3(), { bucket: derived(), key: `studies/${studyKey}/s1/i1/analysis.png` });
    await expect(openReanalysisVersion(openDeps(), { runId: 'r', analyzers: ['a'], study: { studyKey } }))
      .rejects.toMatchObject({ name: 'StudyNotFound', message: "The study's de-identified images no longer exists" });
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'COMPLETED', version: 1 });
  });

  test('a study awaiting review is StudyBusy; a malformed key is refused before any read', async () => {
    const studyKey = await study(StudyStatus.IN_REVIEW);
    await expect(openReanalysisVersion(openDeps(), { runId: 'r', analyzers: ['a'], study: { studyKey } })).rejects.toMatchObject({ name: 'StudyBusy' });
    await expect(openReanalysisVersion(openDeps(), { runId: 'r', analyzers: ['a'], study: { studyKey: 'DOE^JANE' } })).rejects.toThrow(/study.studyKey/);
  });
});

describe('the workflow in a re-analysis version', () => {
  const result = (analyzerName: string, confidence: number) => ({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName,
    modelId: `${analyzerName}-model`,
    modelVersion: '1',
    status: AnalyzerStatus.SUCCEEDED,
    durationMs: 4,
    findings: [{ label: 'Finding', confidence, imageRef: 's1/i1' }],
  });

  test('an analyzer not asked for carries over its previous result; one asked for plans its batches', async () => {
    const studyKey = testStudyKey('carry-over');
    const manifest = { bucket: derived(), key: manifestKey(studyKey, 2) };
    await putJson(s3(), manifest, [{ imageRef: 's1/i1', bucket: derived(), previewKey: 'p', analysisKey: 'a', width: 8, height: 8, analysisWidth: 8, analysisHeight: 8, modality: 'DX', sourceKind: 'DICOM' }]);
    const previousResult = `${analysisPrefix(studyKey, 1, 'image-quality')}result.json`;
    await putJson(s3(), { bucket: derived(), key: previousResult }, result('image-quality', 0.7));
    const context: WorkflowStudy = {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey,
      version: 2,
      imageCount: 1,
      seriesCount: 1,
      modalities: ['DX'],
      bodyParts: [],
      sourceKinds: ['DICOM'],
      requiresReview: false,
      manifest,
      reanalysis: { runId: 'r', previousVersion: 1, analyzers: ['rekognition'] },
    };
    const request = (analyzerName: string) => ({ analyzerName, study: context, selection: { strategy: ImageSelectionStrategy.ALL }, batchSize: 1 });

    // Carrying over copies the previous result; neither the manifest nor any order is read.
    const { value: carried, commands } = await s3Commands(s3(), () => planAnalysis({ s3: s3() }, request('image-quality')));
    expect(carried).toMatchObject({ applies: true, carriedOver: true, batchCount: 0, batches: [], mode: 'INLINE' });
    expect(commands).toEqual([`HeadObjectCommand ${previousResult}`, `CopyObjectCommand ${analysisPrefix(studyKey, 2, 'image-quality')}result.json`]);
    const outcome = await collectAnalysis({ s3: s3(), derivedBucket: derived() }, { analyzerName: 'image-quality', modelId: 'x', modelVersion: '2', study: context, plan: carried });
    expect(outcome).toMatchObject({ analyzerName: 'image-quality', modelId: 'image-quality-model', modelVersion: '1', status: 'SUCCEEDED', findingCount: 1 });
    expect(outcome.result?.key).toBe(`${analysisPrefix(studyKey, 2, 'image-quality')}result.json`);

    const rerun = await planAnalysis({ s3: s3() }, request('rekognition'));
    expect(rerun).toMatchObject({ applies: true, batchCount: 1, imageCount: 1 });
    expect(rerun.carriedOver).toBeUndefined();
    // An analyzer with no previous result to carry over is skipped, not failed.
    expect(await planAnalysis({ s3: s3() }, request('resolution-check'))).toMatchObject({ applies: false, skipReason: 'NOT_REQUESTED' });

    // A normal version (no order in the study): the manifest is the one object read, and every analyzer plans.
    const { reanalysis: _order, ...normal } = context;
    const planned = await s3Commands(s3(), () => planAnalysis({ s3: s3() }, { ...request('image-quality'), study: normal }));
    expect(planned.value).toMatchObject({ applies: true, batchCount: 1, imageCount: 1 });
    expect(planned.value.carriedOver).toBeUndefined();
    expect(planned.commands).toEqual([`GetObjectCommand ${manifest.key}`, `PutObjectCommand ${analysisPrefix(studyKey, 2, 'image-quality')}batches.json`]);
  });

  test('a malformed order is refused as invalid input before anything is read', async () => {
    const context = {
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      studyKey: testStudyKey('bad-order'),
      version: 2,
      imageCount: 1,
      seriesCount: 1,
      modalities: [],
      bodyParts: [],
      sourceKinds: [],
      requiresReview: false,
      manifest: { bucket: derived(), key: 'm.json' },
    };
    const orders = [null, 'rekognition', { previousVersion: 1 }, { previousVersion: 2, analyzers: [] }, { previousVersion: 0, analyzers: [] },
      { previousVersion: 1, analyzers: 'rekognition' }, { previousVersion: 1, analyzers: [7] }];
    for (const reanalysis of orders) {
      const request = { analyzerName: 'rekognition', study: { ...context, reanalysis }, selection: { strategy: ImageSelectionStrategy.ALL }, batchSize: 1 };
      const { value, commands } = await s3Commands(s3(), () => planAnalysis({ s3: s3() }, request as never).catch((error: unknown) => error));
      expect(value).toBeInstanceOf(InvalidStepInputError);
      expect((value as Error).message).toMatch(/study.reanalysis needs an earlier previousVersion and a list of analyzer names$/);
      expect(commands).toEqual([]);
    }
  });

  test("Select images puts the version's order in the study; a normal version, or one an upload opened after a re-analysis, has none", async () => {
    const selectDeps = { table: local.table, s3: s3(), derivedBucket: derived(), clock };
    const normal = await study(StudyStatus.READY);
    expect(await selectImages(selectDeps, { studyKey: normal, version: 1 })).not.toHaveProperty('reanalysis');

    const studyKey = await study(StudyStatus.COMPLETED);
    await openReanalysisVersion(openDeps(), { runId: 'run-s', analyzers: ['rekognition'], study: { studyKey } });
    const order = { runId: 'run-s', previousVersion: 1, analyzers: ['rekognition'] };
    expect(await selectImages(selectDeps, { studyKey, version: 2 })).toMatchObject({ studyKey, version: 2, imageCount: 1, reanalysis: order });
    // A retried step (the claim already made) finds the same order.
    expect((await selectImages(selectDeps, { studyKey, version: 2 })).reanalysis).toEqual(order);

    // An upload opens version 3: the mark of version 2 stays on the study but does not apply to it.
    await transitionStudy(local.table, { studyKey, version: 2, from: [StudyStatus.ANALYZING], to: StudyStatus.COMPLETED, now: NOW });
    const arrival = await recordStudyArrival(local.table, {
      studyKey, instanceSk: instanceSk('s1', 'i2'), arrivedAt: NOW, singleImage: false, now: NOW,
    });
    expect(arrival.meta).toMatchObject({ version: 3, reanalysis: { version: 2 } });
    await transitionStudy(local.table, { studyKey, version: 3, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: NOW });
    expect(await selectImages(selectDeps, { studyKey, version: 3 })).not.toHaveProperty('reanalysis');
  });
});

describe('Record study and Finish run', () => {
  const triaged = (label: string, confidence: number): TriagedFinding => ({
    analyzerName: 'rekognition', finding: { label, confidence, imageRef: 's1/i1' }, action: FindingAction.RELEASE, priority: StudyPriority.ROUTINE, rule: 0,
  });
  const deps = () => ({ table: local.table, s3: s3(), derivedBucket: derived(), reportsBucket: reports() });

  test('a re-analysed study: the change summary beside its report; a failed one: FAILED with its reason; the run: counts and an event', async () => {
    const studyKey = testStudyKey('recorded');
    await putJson(s3(), { bucket: derived(), key: triageKey(studyKey, 1) }, [triaged('Bone', 0.6), triaged('Text', 0.5)]);
    await putJson(s3(), { bucket: derived(), key: triageKey(studyKey, 2) }, [triaged('Bone', 0.9), triaged('X-Ray', 0.8)]);
    const fhirKey = `studies/${studyKey}/reports/v2/r1/diagnostic-report.json`;
    await putJson(s3(), { bucket: reports(), key: fhirKey }, { resourceType: 'DiagnosticReport', status: 'amended' });
    const opened = { studyKey, previousVersion: 1, version: 2, executionName: `study-${studyKey}-v2` };
    const persisted = { reportVersion: 1, fhirKey, htmlKey: 'h', status: 'COMPLETED' };
    const ok = await recordStudyResult(deps(), { runId: 'run-r', study: { studyKey }, opened, analysis: { persisted } });
    expect(ok).toEqual({
      studyKey, status: 'SUCCEEDED', previousVersion: 1, version: 2, reportStatus: 'amended', added: 1, removed: 1, confidenceMoved: 1, changesKey: changesKey(studyKey, 2),
    });
    expect(changesKey(studyKey, 2)).toBe(`studies/${studyKey}/reports/v2/r1/changes.json`);
    expect(await getJson(s3(), { bucket: reports(), key: ok.status === 'SUCCEEDED' ? ok.changesKey : '' })).toMatchObject({
      studyKey, previousVersion: 1, version: 2, added: [{ label: 'X-Ray' }], removed: [{ label: 'Text' }], confidenceMoved: [{ label: 'Bone', previousConfidence: 0.6, confidence: 0.9 }],
    });

    const deleted = testStudyKey('recorded-deleted');
    const failed = await recordStudyResult(deps(), { runId: 'run-r', study: { studyKey: deleted }, failure: { Error: 'StudyNotFound', Cause: 'ignored' } });
    expect(failed).toEqual({ studyKey: deleted, status: 'FAILED', reason: 'NOT_FOUND', errorName: 'StudyNotFound' });
    expect(await getJson(s3(), { bucket: reports(), key: runResultKey('run-r', deleted) })).toEqual(failed);

    const counts = await finishRun({ s3: s3(), reportsBucket: reports(), events: publishers.events() }, { runId: 'run-r', analyzers: ['rekognition'], studyCount: 3 });
    expect(counts).toMatchObject({ studyCount: 3, succeeded: 1, failed: 1, unaccounted: 1, summaryKey: runSummaryKey('run-r') });
    expect(counts).not.toHaveProperty('failures');
    expect(await getJson(s3(), { bucket: reports(), key: runSummaryKey('run-r') })).toMatchObject({ failures: [{ studyKey: deleted, reason: 'NOT_FOUND' }] });
    const [entry] = publishers.entries();
    expect([entry.DetailType, JSON.parse(entry.Detail!)]).toEqual(['Reanalysis Completed', {
      schemaVersion: '1',
      runId: 'run-r',
      analyzers: ['rekognition'],
      studyCount: 3,
      succeeded: 1,
      failed: 1,
      notFound: 1,
      busy: 0,
      analysisFailed: 0,
      unaccounted: 1,
      summaryKey: runSummaryKey('run-r'),
    }]);
  });
});

describe('Analysis Requested (study form) starter', () => {
  const sfn = mockClient(SFNClient);
  afterAll(() => sfn.restore());
  const deps = () => ({ client: new SFNClient({ region: 'us-east-1' }), stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:reanalysis', log: silentLog() });
  const studyKey = testStudyKey('requested');

  test('starts one run named after the event, for that study; a redelivery starts nothing new', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'x', startDate: new Date() })
      .rejectsOnce(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const event = { id: '6f1c1e0e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', detail: { version: '1', studyKey, analyzers: ['rekognition'] } };
    expect(await startRequestedReanalysis(deps(), event)).toEqual({ started: true, runId: `request-${event.id}` });
    expect(await startRequestedReanalysis(deps(), event)).toEqual({ started: false, runId: `request-${event.id}` });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: deps().stateMachineArn, name: `request-${event.id}`, input: JSON.stringify({ studyKeys: [studyKey], analyzers: ['rekognition'] }),
    });
  });

  test('a malformed request starts nothing and is logged by its problem only', async () => {
    sfn.reset();
    const log = silentLog();
    expect(await startRequestedReanalysis({ ...deps(), log }, { id: 'e', detail: { version: '1', studyKey: 'Jane Doe' } })).toEqual({ started: false, reasonCode: 'INVALID_REQUEST' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(JSON.stringify((log.warn as jest.Mock).mock.calls)).not.toContain('Jane');
  });
});
