/** Where each step puts its result in the workflow state (shapes in `src/shared/workflow.ts`). */
export const StatePath = {
  STUDY: '$.study',
  RESULTS: '$.results',
  AGGREGATE: '$.aggregate',
  REVIEW: '$.review',
  PERSISTED: '$.persisted',
  ERROR: '$.error',
} as const;

/** Error name of the terminal Fail state. */
export const STUDY_FAILED_ERROR = 'StudyFailed';

/** Decision recorded at `$.review` when the clinician did not answer in time. */
export const REVIEW_TIMED_OUT = 'TIMED_OUT';
