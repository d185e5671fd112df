/**
 * EVENT items: the audit trail of a study (who did what, when). Written once
 * each, never updated; the sort key orders them by time.
 */
import { randomUUID } from 'crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { TableContext } from './context';
import { eventSk, studyPk } from '../../shared/records';
import { FindingAmendment, ReviewDecision } from '../../shared/reviews';

/** Audit record of one accepted review decision. */
export interface ReviewDecisionAudit {
  readonly studyKey: string;
  readonly version: number;
  /** The authenticated caller (IAM user ARN or Cognito subject), from the request context. */
  readonly reviewer: string;
  readonly decidedAt: string;
  readonly decision: ReviewDecision;
  readonly amendments: readonly FindingAmendment[];
  readonly reason?: string;
  /** Reported finding labels before and after the decision. */
  /** Labels of the findings the decision removed or relabelled. */
  readonly before: readonly string[];
  /** Labels of the findings it relabelled (their new label) or added. */
  readonly after: readonly string[];
  /** Reported findings before and after the decision. */
  readonly findingsBefore: number;
  readonly findingsAfter: number;
  /** Whether the review was PENDING (the workflow resumed) or OVERDUE (a late decision). */
  readonly reviewStatus: string;
}

export const REVIEW_DECISION_EVENT = 'REVIEW_DECISION';

export async function putReviewDecisionAudit(ctx: TableContext, audit: ReviewDecisionAudit): Promise<void> {
  await ctx.doc.send(new PutCommand({
    TableName: ctx.tableName,
    Item: { PK: studyPk(audit.studyKey), SK: eventSk(audit.decidedAt, randomUUID()), eventType: REVIEW_DECISION_EVENT, ...audit },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
}
