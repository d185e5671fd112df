import { Duration } from 'aws-cdk-lib';

/**
 * How long a clinician has for a held study, by its priority. Past it a
 * preliminary report is issued, `Review Overdue` fires, and the study stays on
 * the worklist as overdue; a later decision is still accepted.
 */
export interface ReviewDeadlines {
  /** @default Duration.hours(24) */
  readonly routine?: Duration;
  /** @default Duration.hours(4) */
  readonly urgent?: Duration;
  /** @default Duration.hours(1) */
  readonly stat?: Duration;
}
