/**
 * A run's item retried (or the run re-driven) after the version it opened
 * already finished: Open version finds that version again, starting its
 * execution again is refused (the name is taken by the ended execution), and
 * Record failure must record the finished version, not ANALYSIS_FAILED.
 */
import { TriagedFinding } from '../../../src/core/findings';
import { runResultKey } from '../../../src/core/reanalysis';
import { reportKeys } from '../../../src/runtime/steps/persist-results';
import { openReanalysisVersion } from '../../../src/runtime/steps/reanalysis-open';
import { changesKey, recordStudyResult } from '../../../src/runtime/steps/reanalysis-record';
import { getStudy, recordInstance, recordStudyArrival, transitionStudy } from '../../../src/runtime/storage';
import { getJson, putJson } from '../../../src/runtime/storage/objects';
import { FindingAction, StudyPriority } from '../../../src/shared/finding-rules';
import { instanceSk, StudyStatus, StudyStatusValue, triageKey } from '../../../src/shared/records';
import { useLocalEngines } from '../../support/handler-harness';
import { testStudyKey } from '../../support/study-keys';

const local = useLocalEngines();
const NOW = '2025-03-01T12:00:00.000Z';
const s3 = () => local.engines.s3;
const derived = () => local.engines.buckets.derived;
const reports = () => local.engines.buckets.reports;
const openDeps = () => ({ table: local.table, s3: s3(), derivedBucket: derived(), clock: () => new Date(NOW) });
const recordDeps = () => ({ table: local.table, s3: s3(), derivedBucket: derived(), reportsBucket: reports() });
/** What the Catch of "Analyse new version" hands on when the execution name is taken. */
const ALREADY_EXISTS = { Error: 'StepFunctions.ExecutionAlreadyExistsException', Cause: "Execution Already Exists: 'arn:...'" };

const triaged = (label: string, confidence: number): TriagedFinding => ({
  analyzerName: 'rekognition', finding: { label, confidence, imageRef: 's1/i1' }, action: FindingAction.RELEASE, priority: StudyPriority.ROUTINE, rule: 0,
});

let counter = 0;
/** A COMPLETED single-image study (version 1) with its analysis image and triage stored. */
async function completedStudy(): Promise<string> {
  const studyKey = testStudyKey(`reanalysis-retry-${++counter}`);
  const prefix = `studies/${studyKey}/s1/i1/`;
  await recordInstance(local.table, {
    studyKey,
    seriesKey: 's1',
    instanceKey: 'i1',
    kind: 'dicom',
    modality: 'DX',
    width: 8,
    height: 8,
    analysisWidth: 8,
    analysisHeight: 8,
    previewKey: `${prefix}preview.png`,
    analysisKey: `${prefix}analysis.png`,
    metadataKey: `${prefix}metadata.json`,
    sourceSha256: 'a'.repeat(64),
    receivedAt: NOW,
  });
  await putJson(s3(), { bucket: derived(), key: `${prefix}analysis.png` }, 'png');
  await recordStudyArrival(local.table, { studyKey, instanceSk: instanceSk('s1', 'i1'), arrivedAt: NOW, singleImage: true, modality: 'DX', now: NOW });
  let from: StudyStatusValue = StudyStatus.RECEIVING;
  for (const next of [StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.COMPLETED] as StudyStatusValue[]) {
    await transitionStudy(local.table, { studyKey, version: 1, from: [from], to: next, now: NOW });
    from = next;
  }
  await putJson(s3(), { bucket: derived(), key: triageKey(studyKey, 1) }, [triaged('Bone', 0.6), triaged('Text', 0.5)]);
  return studyKey;
}

/** Version 2 opened by `runId` and analysed to `end` (its triage and report stored when it completed). */
async function reanalysedTo(studyKey: string, runId: string, end: StudyStatusValue, reportRevision = 1): Promise<void> {
  await openReanalysisVersion(openDeps(), { runId, analyzers: ['rekognition'], study: { studyKey } });
  await transitionStudy(local.table, { studyKey, version: 2, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: NOW });
  const attributes = end === StudyStatus.COMPLETED ? { attributes: { reportRevision } } : {};
  await transitionStudy(local.table, { studyKey, version: 2, from: [StudyStatus.ANALYZING], to: end, now: NOW, ...attributes });
  if (end !== StudyStatus.COMPLETED) return;
  await putJson(s3(), { bucket: derived(), key: triageKey(studyKey, 2) }, [triaged('Bone', 0.9), triaged('X-Ray', 0.8)]);
  await putJson(s3(), { bucket: reports(), key: reportKeys(studyKey, 2, reportRevision).fhirKey }, { resourceType: 'DiagnosticReport', status: 'final' });
}

describe('a re-analysis item retried after its version finished', () => {
  test('Open version finds the finished version and Record failure records it as re-analysed, from its latest report', async () => {
    const studyKey = await completedStudy();
    await reanalysedTo(studyKey, 'run-retry', StudyStatus.COMPLETED, 2);
    // The retried item: Open version goes on with the version it opened ...
    const opened = await openReanalysisVersion(openDeps(), { runId: 'run-retry', analyzers: ['rekognition'], study: { studyKey } });
    expect(opened).toMatchObject({ previousVersion: 1, version: 2 });
    // ... and "Analyse new version" is caught with ExecutionAlreadyExists.
    const result = await recordStudyResult(recordDeps(), { runId: 'run-retry', study: { studyKey }, failure: ALREADY_EXISTS });
    expect(result).toEqual({
      studyKey, status: 'SUCCEEDED', previousVersion: 1, version: 2, reportStatus: 'final', added: 1, removed: 1, confidenceMoved: 1, changesKey: changesKey(studyKey, 2),
    });
    expect(await getJson(s3(), { bucket: reports(), key: runResultKey('run-retry', studyKey) })).toEqual(result);
    expect(await getJson(s3(), { bucket: reports(), key: changesKey(studyKey, 2) })).toMatchObject({ previousVersion: 1, version: 2, added: [{ label: 'X-Ray' }] });
    expect(await getStudy(local.table, studyKey)).toMatchObject({ status: 'COMPLETED', version: 2 });
  });

  test('the SDK spelling of the error (the local runner) is recognised too', async () => {
    const studyKey = await completedStudy();
    await reanalysedTo(studyKey, 'run-sdk', StudyStatus.COMPLETED);
    const result = await recordStudyResult(recordDeps(), { runId: 'run-sdk', study: { studyKey }, failure: { Error: 'ExecutionAlreadyExists' } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', version: 2, reportStatus: 'final' });
  });

  test('a version that ended FAILED, one another run opened, or any other error stays ANALYSIS_FAILED', async () => {
    const failedStudy = await completedStudy();
    await reanalysedTo(failedStudy, 'run-f', StudyStatus.FAILED);
    expect(await recordStudyResult(recordDeps(), { runId: 'run-f', study: { studyKey: failedStudy }, failure: ALREADY_EXISTS }))
      .toEqual({ studyKey: failedStudy, status: 'FAILED', reason: 'ANALYSIS_FAILED', errorName: ALREADY_EXISTS.Error });

    const otherRun = await completedStudy();
    await reanalysedTo(otherRun, 'run-earlier', StudyStatus.COMPLETED);
    expect(await recordStudyResult(recordDeps(), { runId: 'run-later', study: { studyKey: otherRun }, failure: ALREADY_EXISTS }))
      .toMatchObject({ status: 'FAILED', reason: 'ANALYSIS_FAILED' });

    expect(await recordStudyResult(recordDeps(), { runId: 'run-earlier', study: { studyKey: otherRun }, failure: { Error: 'States.TaskFailed' } }))
      .toMatchObject({ status: 'FAILED', reason: 'ANALYSIS_FAILED', errorName: 'States.TaskFailed' });
  });
});
