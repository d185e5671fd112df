/**
 * The study and review records the review API reads, with the refusals that
 * follow from them: 404 for what does not exist, 409 for what cannot be
 * decided now.
 */
import { ApiError, ApiErrorCode } from './api-io';
import { StudyStatus } from '../../../shared/records';
import { ReviewStatus } from '../../../shared/reviews';
import { TableContext } from '../../storage/context';
import { getReview, ReviewRecord } from '../../storage/reviews';
import { getStudy, StudyMeta } from '../../storage/studies';

export async function studyOrNotFound(table: TableContext, studyKey: string): Promise<StudyMeta> {
  const meta = await getStudy(table, studyKey);
  if (meta === undefined) throw new ApiError(ApiErrorCode.NOT_FOUND, 'No study with this key');
  return meta;
}

export async function reviewOrNotFound(table: TableContext, studyKey: string, version: number): Promise<ReviewRecord> {
  const review = await getReview(table, studyKey, version);
  if (review === undefined) throw new ApiError(ApiErrorCode.NOT_FOUND, `No review was requested for version ${version} of this study`);
  return review;
}

/** Refuses a decision the study cannot take now (decided, superseded, or no longer held). */
export function assertAwaitingDecision(meta: StudyMeta, review: ReviewRecord): void {
  if (review.reviewStatus === ReviewStatus.DECIDED) {
    throw new ApiError(ApiErrorCode.CONFLICT, `Version ${review.version} of this study was already decided`);
  }
  if (meta.version !== review.version) {
    throw new ApiError(ApiErrorCode.CONFLICT, `Version ${review.version} is not the study's current version (${meta.version})`);
  }
  if (meta.status !== StudyStatus.IN_REVIEW) {
    throw new ApiError(ApiErrorCode.CONFLICT, 'The study is not awaiting review');
  }
}

/** A held study is overdue once the workflow marked it so, or once its deadline passed. */
export function isOverdue(meta: StudyMeta, now: Date): boolean {
  return meta.reviewOverdue === true || (meta.reviewDeadline !== undefined && meta.reviewDeadline <= now.toISOString());
}
