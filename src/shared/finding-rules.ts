/**
 * What happens to each finding, and so to the study: an ordered list of rules,
 * the first that matches a finding decides. Plain data: the construct embeds
 * the rules in the state machine definition and the aggregate step applies them.
 */

/** What a matching rule does with a finding. */
export enum FindingAction {
  /** The finding goes into the report without waiting for a clinician. */
  RELEASE = 'RELEASE',
  /** A clinician must review the study before its report is final. */
  HOLD_FOR_REVIEW = 'HOLD_FOR_REVIEW',
  /** The finding is left out of reports and counts (kept in the stored results for audit). */
  SUPPRESS = 'SUPPRESS',
}

/** How soon a study needs a clinician; the study's priority is the highest among its findings. */
export enum StudyPriority {
  ROUTINE = 'ROUTINE',
  URGENT = 'URGENT',
  STAT = 'STAT',
}

/** Which findings a rule applies to; every criterion given must hold. */
export interface FindingMatch {
  /** Finding labels, compared case-insensitively, e.g. `['Pneumothorax']`. @default - any label */
  readonly labels?: string[];
  /** Code of the finding (with `codeSystem`), e.g. SNOMED CT `36118008`. @default - any code */
  readonly code?: string;
  /** Code system URI of `code`, e.g. `http://snomed.info/sct`. @default - any code system */
  readonly codeSystem?: string;
  /** Names of the analyzers whose findings this rule covers. @default - every analyzer */
  readonly analyzers?: string[];
  /** The finding's confidence is at least this (0..1). @default 0 */
  readonly confidenceAtLeast?: number;
  /** The finding's confidence is below this (0..1). @default - no upper bound */
  readonly confidenceBelow?: number;
}

/** One rule: findings it matches get its action and priority. */
export interface FindingRule {
  /** @default - every finding */
  readonly match?: FindingMatch;
  readonly action: FindingAction;
  /** @default StudyPriority.ROUTINE */
  readonly priority?: StudyPriority;
}

/** Why a study waits for a clinician (`AggregateSummary.reviewReasons`). */
export const ReviewReason = {
  /** A finding matched a HOLD_FOR_REVIEW rule (or no rule, which holds). */
  FINDING_HELD: 'FINDING_HELD',
  /** An analyzer failed: "no findings" from it would be unfounded. */
  ANALYZER_FAILED: 'ANALYZER_FAILED',
  /** No analyzer succeeded: nothing looked at the images. */
  NO_ANALYZER_SUCCEEDED: 'NO_ANALYZER_SUCCEEDED',
  /** An image was accepted under the FLAG_FOR_REVIEW burned-in annotation policy. */
  BURNED_IN_ANNOTATION: 'BURNED_IN_ANNOTATION',
} as const;
export type ReviewReasonValue = (typeof ReviewReason)[keyof typeof ReviewReason];
