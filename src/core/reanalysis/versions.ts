/**
 * Which version a re-analysis gives a study: the next one, opened only from a
 * study at rest (COMPLETED or FAILED), so a re-analysis never races an upload,
 * an analysis or a clinician's review. A retried step of the same run finds the
 * version it opened and goes on with it.
 */
import { StudyStatus, StudyStatusValue } from '../../shared/records';
import { ReanalysisOrder } from '../../shared/workflow';

/** The re-analysis that opened a study's current version (kept on the study META). */
export interface ReanalysisMark {
  readonly runId: string;
  readonly version: number;
  readonly previousVersion: number;
  readonly analyzers: readonly string[];
}

export interface VersionedStudy {
  readonly status: StudyStatusValue;
  readonly version: number;
  readonly reanalysis?: ReanalysisMark;
}

export type VersionPlan =
  | { readonly kind: 'OPEN'; readonly previousVersion: number; readonly version: number }
  | { readonly kind: 'ALREADY_OPEN'; readonly previousVersion: number; readonly version: number }
  | { readonly kind: 'BUSY' };

/** Statuses a study may be re-analysed from. */
export const AT_REST: readonly StudyStatusValue[] = [StudyStatus.COMPLETED, StudyStatus.FAILED];

export function planReanalysisVersion(study: VersionedStudy, runId: string): VersionPlan {
  const mark = study.reanalysis;
  if (mark !== undefined && mark.runId === runId && mark.version === study.version) {
    return { kind: 'ALREADY_OPEN', previousVersion: mark.previousVersion, version: mark.version };
  }
  if (!AT_REST.includes(study.status)) return { kind: 'BUSY' };
  return { kind: 'OPEN', previousVersion: study.version, version: study.version + 1 };
}

/**
 * The version this run opened, when it already finished (COMPLETED and still the
 * study's current version): what a retried or re-driven item of the run finds
 * when its analysis execution ran before (its name is taken, so starting it again fails).
 */
export function finishedReanalysisVersion(
  study: VersionedStudy, runId: string,
): { readonly previousVersion: number; readonly version: number } | undefined {
  const mark = study.reanalysis;
  if (mark === undefined || mark.runId !== runId || mark.version !== study.version || study.status !== StudyStatus.COMPLETED) return undefined;
  return { previousVersion: mark.previousVersion, version: mark.version };
}

/**
 * What a re-analysis asks of `version` of the study, from the mark it left on
 * the study; undefined for a version a re-analysis did not open (an upload's).
 */
export function reanalysisOrderOf(study: Pick<VersionedStudy, 'reanalysis'>, version: number): ReanalysisOrder | undefined {
  const mark = study.reanalysis;
  if (mark === undefined || mark.version !== version) return undefined;
  return { runId: mark.runId, previousVersion: mark.previousVersion, analyzers: [...mark.analyzers] };
}
