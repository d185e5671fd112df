/**
 * What happened to each study of a run, and the run's summary. A study that
 * cannot be re-analysed is one FAILED result with a reason, never a failed run.
 */
import { VersionChangeSummary } from '../findings/version-changes';

export const ReanalysisFailure = {
  /** The study's record, its instances or its de-identified images are gone (deleted since). */
  NOT_FOUND: 'NOT_FOUND',
  /** The study was receiving, being analysed or awaiting review: left alone. */
  BUSY: 'BUSY',
  /** The new version's analysis execution failed (the study is FAILED, with its own `Study Failed` event). */
  ANALYSIS_FAILED: 'ANALYSIS_FAILED',
} as const;
export type ReanalysisFailureValue = (typeof ReanalysisFailure)[keyof typeof ReanalysisFailure];

/** Error names the open step throws (the state machine's Catch hands them to the record step). */
export const STUDY_NOT_FOUND_ERROR = 'StudyNotFound';
export const STUDY_BUSY_ERROR = 'StudyBusy';

/**
 * The analysis step's error when the version's execution name is taken: that
 * execution already ended (a running one with the same input is joined, not refused).
 * Step Functions names it StepFunctions.ExecutionAlreadyExistsException; the SDK, ExecutionAlreadyExists.
 */
export function isExecutionAlreadyExists(errorName: string | undefined): boolean {
  return errorName === 'StepFunctions.ExecutionAlreadyExistsException' || errorName === 'ExecutionAlreadyExists';
}

export function failureReasonOf(errorName: string | undefined): ReanalysisFailureValue {
  if (errorName === STUDY_NOT_FOUND_ERROR) return ReanalysisFailure.NOT_FOUND;
  if (errorName === STUDY_BUSY_ERROR) return ReanalysisFailure.BUSY;
  return ReanalysisFailure.ANALYSIS_FAILED;
}

export type StudyReanalysisResult =
  | {
    readonly studyKey: string;
    readonly status: 'SUCCEEDED';
    readonly previousVersion: number;
    readonly version: number;
    /** FHIR DiagnosticReport.status of the new version's report. */
    readonly reportStatus: string;
    readonly added: number;
    readonly removed: number;
    readonly confidenceMoved: number;
    /** The change summary (reports bucket). */
    readonly changesKey: string;
  }
  | {
    readonly studyKey: string;
    readonly status: 'FAILED';
    readonly reason: ReanalysisFailureValue;
    /** Name of the error behind the failure (never its message). */
    readonly errorName?: string;
  };

export interface ReanalysisRunSummary {
  readonly runId: string;
  readonly analyzers: readonly string[];
  readonly studyCount: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failedByReason: Readonly<Record<ReanalysisFailureValue, number>>;
  /** Studies selected whose result is missing (a lost child execution). */
  readonly unaccounted: number;
  /** The studies that failed, with why (pseudonymous keys only). */
  readonly failures: ReadonlyArray<{ readonly studyKey: string; readonly reason: ReanalysisFailureValue }>;
}

export function summarizeRun(
  run: { readonly runId: string; readonly analyzers: readonly string[]; readonly studyCount: number },
  results: ReadonlyArray<Pick<StudyReanalysisResult, 'studyKey' | 'status'> & { readonly reason?: ReanalysisFailureValue }>,
): ReanalysisRunSummary {
  const failures = results.filter((r) => r.status === 'FAILED').map((r) => ({ studyKey: r.studyKey, reason: r.reason ?? ReanalysisFailure.ANALYSIS_FAILED }));
  const failedByReason = Object.fromEntries(Object.values(ReanalysisFailure).map((reason) =>
    [reason, failures.filter((f) => f.reason === reason).length])) as Record<ReanalysisFailureValue, number>;
  const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
  return {
    runId: run.runId,
    analyzers: run.analyzers,
    studyCount: run.studyCount,
    succeeded,
    failed: failures.length,
    failedByReason,
    unaccounted: Math.max(0, run.studyCount - results.length),
    failures: [...failures].sort((a, b) => a.studyKey.localeCompare(b.studyKey)),
  };
}

/** The counts a result carries from its change summary. */
export function changeCounts(summary: VersionChangeSummary): { added: number; removed: number; confidenceMoved: number } {
  return { added: summary.added.length, removed: summary.removed.length, confidenceMoved: summary.confidenceMoved.length };
}
