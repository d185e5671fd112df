/**
 * REVIEW items: one per held study version. The task token that resumes the
 * workflow is written here and only here (the table is KMS-encrypted), and is
 * removed once a decision has been delivered with it or the deadline passes.
 * Status moves are conditional, so a decision is accepted exactly once; a
 * decision recorded but not yet delivered (the resume failed) is delivered by
 * a retry of the same decision, or by the workflow at the deadline.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TableContext } from './context';
import { reviewSk, studyPk } from '../../shared/records';
import { FindingAmendment, ReviewDecision, ReviewStatus, ReviewStatusValue } from '../../shared/reviews';
import { AggregateSummary, AnalyzerOutcome } from '../../shared/workflow';

export interface ReviewRecord {
  readonly studyKey: string;
  readonly version: number;
  readonly reviewStatus: ReviewStatusValue;
  readonly priority: string;
  readonly requestedAt: string;
  /** When a decision is due; past it the study is overdue. */
  readonly deadline: string;
  /** What the analyzers and the rules said (bounded: outcomes and counts; findings are in S3). */
  readonly aggregate: AggregateSummary;
  readonly results: AnalyzerOutcome[];
  /** Present while PENDING, and while a decision taken then is not yet delivered. */
  readonly taskToken?: string;
  readonly decision?: ReviewDecision;
  /** False from the moment a decision is recorded until the workflow or a report revision has it. */
  readonly delivered?: boolean;
  readonly reviewer?: string;
  readonly decidedAt?: string;
  readonly amendments?: FindingAmendment[];
  readonly reason?: string;
}

const key = (studyKey: string, version: number) => ({ PK: studyPk(studyKey), SK: reviewSk(version) });

/**
 * Records the review request with its task token. A retried request (same
 * version) replaces the token of a review that is still PENDING; a decided or
 * overdue review is left as it is.
 */
export async function putReviewRequest(ctx: TableContext, record: ReviewRecord & { readonly taskToken: string }): Promise<boolean> {
  try {
    await ctx.doc.send(new PutCommand({
      TableName: ctx.tableName,
      Item: { ...key(record.studyKey, record.version), ...record, reviewStatus: ReviewStatus.PENDING },
      ConditionExpression: 'attribute_not_exists(PK) OR reviewStatus = :pending',
      ExpressionAttributeValues: { ':pending': ReviewStatus.PENDING },
    }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function getReview(ctx: TableContext, studyKey: string, version: number): Promise<ReviewRecord | undefined> {
  const result = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key(studyKey, version), ConsistentRead: true }));
  if (result.Item === undefined) return undefined;
  const { PK: _pk, SK: _sk, ...rest } = result.Item;
  return rest as ReviewRecord;
}

export interface DecisionRecord {
  readonly decision: ReviewDecision;
  readonly reviewer: string;
  readonly decidedAt: string;
  readonly amendments?: FindingAmendment[];
  readonly reason?: string;
}

/**
 * Records a decision on a PENDING or OVERDUE review, not yet delivered, in one
 * conditional write (the token stays until `markDecisionDelivered`). Returns the
 * review as it was (with the token, for a PENDING one), or undefined when it was
 * already decided (or never requested).
 */
export async function takeDecision(
  ctx: TableContext,
  studyKey: string,
  version: number,
  decision: DecisionRecord,
): Promise<ReviewRecord | undefined> {
  try {
    const result = await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: key(studyKey, version),
      UpdateExpression: 'SET reviewStatus = :decided, decision = :decision, reviewer = :reviewer, decidedAt = :at, amendments = :amendments'
        + ', delivered = :false' + (decision.reason === undefined ? '' : ', reason = :reason'),
      ConditionExpression: 'reviewStatus IN (:pending, :overdue)',
      ExpressionAttributeValues: {
        ':decided': ReviewStatus.DECIDED,
        ':decision': decision.decision,
        ':reviewer': decision.reviewer,
        ':at': decision.decidedAt,
        ':amendments': decision.amendments ?? [],
        ':pending': ReviewStatus.PENDING,
        ':overdue': ReviewStatus.OVERDUE,
        ':false': false,
        ...(decision.reason === undefined ? {} : { ':reason': decision.reason }),
      },
      ReturnValues: 'ALL_OLD',
    }));
    const { PK: _pk, SK: _sk, ...rest } = result.Attributes ?? {};
    return rest as ReviewRecord;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Past the deadline without a decision: OVERDUE, and the (expired) token is dropped. False when already decided. */
export async function markReviewOverdue(ctx: TableContext, studyKey: string, version: number): Promise<boolean> {
  try {
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: key(studyKey, version),
      UpdateExpression: 'SET reviewStatus = :overdue REMOVE taskToken',
      ConditionExpression: 'reviewStatus = :pending',
      ExpressionAttributeValues: { ':overdue': ReviewStatus.OVERDUE, ':pending': ReviewStatus.PENDING },
    }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The decision reached the workflow, or its report is written: the token goes. False when no decision is recorded. */
export async function markDecisionDelivered(ctx: TableContext, studyKey: string, version: number): Promise<boolean> {
  try {
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: key(studyKey, version),
      UpdateExpression: 'SET delivered = :true REMOVE taskToken',
      ConditionExpression: 'reviewStatus = :decided',
      ExpressionAttributeValues: { ':true': true, ':decided': ReviewStatus.DECIDED },
    }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A decision recorded but not delivered: the workflow applies it at the deadline, a retry of it re-sends it. */
export function isUndelivered(review: ReviewRecord): boolean {
  return review.reviewStatus === ReviewStatus.DECIDED && review.delivered === false;
}
