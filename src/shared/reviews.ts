/**
 * The clinician review of a held study version: what the workflow stores when
 * it asks for a review, what a decision may say, and the audit trail. The task
 * token that resumes the workflow lives only in the table (encrypted at rest),
 * never in an event, a log line or a notification.
 */
import { AnalyzerFinding } from './analyzer-result';

/** What a clinician decides (the review API's `decision`). */
export const ReviewAction = {
  /** The AI findings stand: the report becomes final. */
  APPROVE: 'APPROVE',
  /** The findings are changed (each change with a reason); the report is final with the changes. */
  AMEND: 'AMEND',
  /** The AI findings are rejected: recorded, and the report stays preliminary. */
  REJECT: 'REJECT',
} as const;
export type ReviewActionValue = (typeof ReviewAction)[keyof typeof ReviewAction];

/** The decision as the workflow state and the report records it (`$.review.decision`). */
export type ReviewDecision = 'APPROVED' | 'AMENDED' | 'REJECTED' | 'TIMED_OUT';

export const DECISION_OF_ACTION: Record<ReviewActionValue, ReviewDecision> = {
  APPROVE: 'APPROVED',
  AMEND: 'AMENDED',
  REJECT: 'REJECTED',
};

/** One change a reviewer makes to the findings of a study version. */
export type FindingAmendment =
  /** Leave a finding (by its index in the triage) out of the report. */
  | { readonly type: 'REMOVE'; readonly findingIndex: number; readonly reason: string }
  /** Change a finding's label (and, optionally, code). */
  | { readonly type: 'RELABEL'; readonly findingIndex: number; readonly label: string; readonly code?: string; readonly codeSystem?: string; readonly reason: string }
  /** Add a finding the analyzers missed (confidence 1: a clinician saw it). */
  | { readonly type: 'ADD'; readonly label: string; readonly imageRef: string; readonly code?: string; readonly codeSystem?: string; readonly reason: string };

/** Review lifecycle of one study version (the REVIEW item's `reviewStatus`). */
export const ReviewStatus = {
  /** Waiting for a clinician; the task token is stored. */
  PENDING: 'PENDING',
  /** The deadline passed: a preliminary report was issued; a late decision is still accepted. */
  OVERDUE: 'OVERDUE',
  DECIDED: 'DECIDED',
} as const;
export type ReviewStatusValue = (typeof ReviewStatus)[keyof typeof ReviewStatus];

/** What the review API hands the workflow with SendTaskSuccess (no finding data: that stays in the table). */
export interface ReviewAnswer {
  readonly decision: ReviewDecision;
  /** Pseudonymous reviewer id from the authenticated request. */
  readonly reviewer: string;
  readonly decidedAt: string;
}

/** A finding as the report shows it after the reviewer's amendments. */
export interface ReviewedFinding extends AnalyzerFinding {
  readonly analyzerName: string;
  /** Set when a clinician added or relabelled it. */
  readonly amendedBy?: string;
}
