import { parseStudyAnalysisRequest, parseAnalysisRequest } from '../../../src/core/analysis-requests';
import { TriagedFinding } from '../../../src/core/findings';
import {
  failureReasonOf,
  finishedReanalysisVersion,
  InvalidReanalysisRequest,
  isExecutionAlreadyExists,
  matchesSelection,
  parseReanalysisRequest,
  planReanalysisVersion,
  reanalysisChanges,
  ReanalysisFailure,
  reportedFindings,
  STUDY_BUSY_ERROR,
  STUDY_NOT_FOUND_ERROR,
  summarizeRun,
} from '../../../src/core/reanalysis';
import { FindingAction, StudyPriority } from '../../../src/shared/finding-rules';
import { StudyStatus } from '../../../src/shared/records';
import { testStudyKey } from '../../support/study-keys';

const KNOWN = ['image-quality', 'resolution-check', 'rekognition'];
const A = testStudyKey('reanalysis-a');
const B = testStudyKey('reanalysis-b');

describe('parseReanalysisRequest', () => {
  test('without analyzers every analyzer runs again; without a selection, every completed study', () => {
    expect(parseReanalysisRequest({ runId: 'run-1' }, KNOWN)).toEqual({ runId: 'run-1', analyzers: KNOWN, selection: {} });
  });

  test('a date range and modalities are normalized; an explicit list replaces every other filter', () => {
    const ranged = parseReanalysisRequest({ runId: 'r', analyzers: ['rekognition'], receivedFrom: '2025-01-01', receivedBefore: '2025-02-01T00:00:00+01:00', modalities: [' dx', 'CR'] }, KNOWN);
    expect(ranged.selection).toEqual({ receivedFrom: '2025-01-01T00:00:00.000Z', receivedBefore: '2025-01-31T23:00:00.000Z', modalities: ['DX', 'CR'] });
    const listed = parseReanalysisRequest({ runId: 'r', studyKeys: [A, B, A], modalities: ['CT'] }, KNOWN);
    expect(listed.selection).toEqual({ studyKeys: [A, B] });
  });

  test.each([
    [{ runId: 'has space' }, /runId/],
    [{ runId: 'r', analyzers: [] }, /analyzers must be a non-empty list/],
    [{ runId: 'r', analyzers: ['image-quality', 'new-model'] }, /1 analyzer\(s\) the workflow does not run/],
    [{ runId: 'r', studyKeys: ['DOE^JANE'] }, /pseudonymous study keys/],
    [{ runId: 'r', receivedFrom: 'yesterday' }, /receivedFrom must be an ISO-8601/],
    [{ runId: 'r', receivedFrom: '2025-02-01', receivedBefore: '2025-01-01' }, /before receivedBefore/],
    [{ runId: 'r', modalities: ['C T'] }, /DICOM modality codes/],
  ])('refuses %j, naming the field and not the value', (input, message) => {
    expect(() => parseReanalysisRequest(input, KNOWN)).toThrow(InvalidReanalysisRequest);
    expect(() => parseReanalysisRequest(input, KNOWN)).toThrow(message);
    expect(() => parseReanalysisRequest(input, KNOWN)).not.toThrow(/DOE|new-model|yesterday/);
  });
});

describe('matchesSelection', () => {
  const study = { studyKey: A, createdAt: '2025-01-15T10:00:00.000Z', modality: 'DX' };
  test('date range: from inclusive, before exclusive', () => {
    expect(matchesSelection(study, { receivedFrom: '2025-01-15T10:00:00.000Z' })).toBe(true);
    expect(matchesSelection(study, { receivedBefore: '2025-01-15T10:00:00.000Z' })).toBe(false);
    expect(matchesSelection(study, { receivedFrom: '2025-01-01T00:00:00.000Z', receivedBefore: '2025-02-01T00:00:00.000Z' })).toBe(true);
    expect(matchesSelection(study, { receivedFrom: '2025-01-16T00:00:00.000Z' })).toBe(false);
  });
  test('modality, case-insensitive on the stored value; a study without one matches no modality filter', () => {
    expect(matchesSelection({ ...study, modality: 'dx' }, { modalities: ['DX', 'CR'] })).toBe(true);
    expect(matchesSelection(study, { modalities: ['CT'] })).toBe(false);
    expect(matchesSelection({ studyKey: A, createdAt: study.createdAt }, { modalities: ['DX'] })).toBe(false);
  });
  test('an explicit list', () => {
    expect(matchesSelection(study, { studyKeys: [A] })).toBe(true);
    expect(matchesSelection(study, { studyKeys: [B] })).toBe(false);
  });
});

describe('planReanalysisVersion', () => {
  test('a study at rest gets the next version', () => {
    expect(planReanalysisVersion({ status: StudyStatus.COMPLETED, version: 1 }, 'run')).toEqual({ kind: 'OPEN', previousVersion: 1, version: 2 });
    expect(planReanalysisVersion({ status: StudyStatus.FAILED, version: 3 }, 'run')).toEqual({ kind: 'OPEN', previousVersion: 3, version: 4 });
  });
  test('a study receiving, analysing or in review is left alone', () => {
    for (const status of [StudyStatus.RECEIVING, StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.IN_REVIEW]) {
      expect(planReanalysisVersion({ status, version: 1 }, 'run')).toEqual({ kind: 'BUSY' });
    }
  });
  test('a retried step of the same run finds the version it opened; another run does not', () => {
    const mark = { runId: 'run', version: 2, previousVersion: 1, analyzers: ['rekognition'] };
    expect(planReanalysisVersion({ status: StudyStatus.ANALYZING, version: 2, reanalysis: mark }, 'run')).toEqual({ kind: 'ALREADY_OPEN', previousVersion: 1, version: 2 });
    expect(planReanalysisVersion({ status: StudyStatus.ANALYZING, version: 2, reanalysis: mark }, 'other')).toEqual({ kind: 'BUSY' });
    // The version moved on since (an upload opened version 3): the mark is stale.
    expect(planReanalysisVersion({ status: StudyStatus.COMPLETED, version: 3, reanalysis: mark }, 'run')).toEqual({ kind: 'OPEN', previousVersion: 3, version: 4 });
  });
});

describe('finishedReanalysisVersion', () => {
  const mark = { runId: 'run', version: 2, previousVersion: 1, analyzers: ['rekognition'] };
  test("the run's version, COMPLETED and still current, is finished", () => {
    expect(finishedReanalysisVersion({ status: StudyStatus.COMPLETED, version: 2, reanalysis: mark }, 'run')).toEqual({ previousVersion: 1, version: 2 });
  });
  test('not while it runs or when it FAILED, not for another run, not once a newer version opened, not without a mark', () => {
    for (const status of [StudyStatus.READY, StudyStatus.ANALYZING, StudyStatus.IN_REVIEW, StudyStatus.FAILED]) {
      expect(finishedReanalysisVersion({ status, version: 2, reanalysis: mark }, 'run')).toBeUndefined();
    }
    expect(finishedReanalysisVersion({ status: StudyStatus.COMPLETED, version: 2, reanalysis: mark }, 'other')).toBeUndefined();
    expect(finishedReanalysisVersion({ status: StudyStatus.COMPLETED, version: 3, reanalysis: mark }, 'run')).toBeUndefined();
    expect(finishedReanalysisVersion({ status: StudyStatus.COMPLETED, version: 2 }, 'run')).toBeUndefined();
  });
  test('the taken-execution-name error, as Step Functions and as the SDK name it', () => {
    expect(['StepFunctions.ExecutionAlreadyExistsException', 'ExecutionAlreadyExists'].map(isExecutionAlreadyExists)).toEqual([true, true]);
    expect([undefined, 'States.TaskFailed', 'StudyBusy'].map(isExecutionAlreadyExists)).toEqual([false, false, false]);
  });
});

describe('change summary of a re-analysed study', () => {
  const t = (analyzerName: string, label: string, confidence: number, action = FindingAction.RELEASE): TriagedFinding => ({
    analyzerName, finding: { label, confidence, imageRef: 's1/i1' }, action, priority: StudyPriority.ROUTINE, rule: 0,
  });
  test('compares what each version reported: suppressed findings are not reported', () => {
    expect(reportedFindings([t('a', 'x', 0.5), t('a', 'y', 0.5, FindingAction.SUPPRESS)]).map((f) => f.finding.label)).toEqual(['x']);
    const summary = reanalysisChanges(
      { version: 1, triage: [t('rekognition', 'Bone', 0.62), t('rekognition', 'Text', 0.4), t('image-quality', 'Low contrast', 0.9)] },
      { version: 2, triage: [t('rekognition', 'Bone', 0.91), t('rekognition', 'X-Ray', 0.88), t('rekognition', 'Text', 0.4, FindingAction.SUPPRESS), t('image-quality', 'Low contrast', 0.9)] },
    );
    expect(summary).toMatchObject({
      previousVersion: 1,
      version: 2,
      added: [{ analyzerName: 'rekognition', label: 'X-Ray', confidence: 0.88 }],
      removed: [{ analyzerName: 'rekognition', label: 'Text', confidence: 0.4 }],
      confidenceMoved: [{ analyzerName: 'rekognition', label: 'Bone', previousConfidence: 0.62, confidence: 0.91 }],
      unchangedCount: 1,
    });
  });
  test('a previous version without triage (it failed) reported nothing: every finding is added', () => {
    expect(reanalysisChanges({ version: 1 }, { version: 2, triage: [t('a', 'x', 0.5)] }).added).toHaveLength(1);
  });
});

describe('run summary', () => {
  test('counts results by status and failure reason; selected studies without a result are unaccounted', () => {
    const summary = summarizeRun({ runId: 'r', analyzers: ['a'], studyCount: 5 }, [
      { studyKey: B, status: 'SUCCEEDED' },
      { studyKey: A, status: 'FAILED', reason: ReanalysisFailure.NOT_FOUND },
      { studyKey: testStudyKey('c'), status: 'FAILED', reason: ReanalysisFailure.BUSY },
      { studyKey: testStudyKey('d'), status: 'SUCCEEDED' },
    ]);
    expect(summary).toMatchObject({ studyCount: 5, succeeded: 2, failed: 2, unaccounted: 1 });
    expect(summary.failedByReason).toEqual({ NOT_FOUND: 1, BUSY: 1, ANALYSIS_FAILED: 0 });
    expect(summary.failures.map((f) => f.reason).sort()).toEqual(['BUSY', 'NOT_FOUND']);
  });
  test('error names map to reasons', () => {
    expect(failureReasonOf(STUDY_NOT_FOUND_ERROR)).toBe('NOT_FOUND');
    expect(failureReasonOf(STUDY_BUSY_ERROR)).toBe('BUSY');
    expect(failureReasonOf('States.TaskFailed')).toBe('ANALYSIS_FAILED');
    expect(failureReasonOf(undefined)).toBe('ANALYSIS_FAILED');
  });
});

describe('Analysis Requested, study form', () => {
  test('names a study (and optionally the analyzers to run again)', () => {
    expect(parseStudyAnalysisRequest({ version: '1', studyKey: A })).toEqual({ kind: 'STUDY', studyKey: A });
    expect(parseStudyAnalysisRequest({ version: '1', studyKey: A, analyzers: ['rekognition'] })).toEqual({ kind: 'STUDY', studyKey: A, analyzers: ['rekognition'] });
  });
  test.each([
    [{ version: '2', studyKey: A }, /version/],
    [{ version: '1', studyKey: 'Jane Doe' }, /studyKey must be a pseudonymous/],
    [{ version: '1', studyKey: A, bucket: 'b' }, /names no bucket/],
    [{ version: '1', studyKey: A, analyzers: [] }, /analyzers/],
  ])('refuses %j', (detail, message) => {
    expect(() => parseStudyAnalysisRequest(detail)).toThrow(message);
    expect(() => parseStudyAnalysisRequest(detail)).not.toThrow(/Jane/);
  });
  test('the object form refuses a study request (it is not for ingest)', () => {
    expect(() => parseAnalysisRequest({ version: '1', studyKey: A })).toThrow(/re-analysis, not for ingest/);
    expect(parseAnalysisRequest({ version: '1', bucket: 'b', key: 'k' })).toMatchObject({ kind: 'OBJECT' });
  });
});
