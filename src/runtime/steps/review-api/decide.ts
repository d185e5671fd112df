/**
 * POST /studies/{studyKey}/decision: a clinician's decision on a held study
 * version, taken exactly once. The reviewer comes from the request context.
 *
 * While the review is PENDING the stored task token resumes the workflow
 * (SendTaskSuccess with the `ReviewAnswer`: no findings, no token in any
 * response), which then issues the final (or amended) report. Past the
 * deadline (OVERDUE: a preliminary report is out and the execution has moved
 * on) this step issues report revision 2 itself and announces it. A decision
 * is recorded before it is delivered, so none is lost: when the resume fails the
 * request fails (500) and the same decision sent again delivers it; left alone,
 * the workflow applies it at the deadline (as it does when the task timed out
 * in the meantime). Every accepted decision leaves an audit record: who, when,
 * what, the findings before and after.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ApiError, ApiErrorCode } from './api-io';
import { DecisionRequest, parseDecisionRequest } from './decision-request';
import { assertAwaitingDecision, reviewOrNotFound, studyOrNotFound } from './held-studies';
import { amendmentDiff, amendmentProblems, applyAmendments, TriagedFinding } from '../../../core/findings';
import { DetailType } from '../../../shared/events';
import { MetricName } from '../../../shared/metrics';
import { StudyStatus } from '../../../shared/records';
import { DECISION_OF_ACTION, ReviewAction, ReviewAnswer, ReviewDecision } from '../../../shared/reviews';
import { PersistedReport } from '../../../shared/workflow';
import { SafeLog } from '../../lambda/logger';
import type { PipelineMetrics } from '../../lambda/metrics';
import { EventPublisher, MessagePublisher } from '../../messaging/publish';
import { putReviewDecisionAudit } from '../../storage/audit-events';
import { TableContext } from '../../storage/context';
import { isUndelivered, markDecisionDelivered, ReviewRecord, takeDecision } from '../../storage/reviews';
import { getImage } from '../../storage/study-images';
import { notifyOutcome } from '../notify-outcome';
import { persistResults } from '../persist-results';
import { loadTriage } from '../stored-results';

export interface DecideDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly reportsBucket: string;
  /** Where the study manifests are (a late decision's report revision reads the version's images). @default - no study in the revision */
  readonly derivedBucket?: string;
  /** See `ResultsStoreProps.structuredReportForImages`. @default false */
  readonly structuredReportForImages?: boolean;
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Review wait (request to decision) and studies a late decision completed. */
  readonly metrics?: PipelineMetrics;
}

export interface DecideInput {
  readonly studyKey: string;
  /** The parsed JSON body (checked here). */
  readonly body: unknown;
  /** From the authenticated request context. */
  readonly reviewer: string;
}

/** What the caller learns (never the task token). */
export interface DecisionOutcome {
  readonly studyKey: string;
  readonly version: number;
  readonly decision: ReviewDecision;
  readonly decidedAt: string;
  /**
   * WORKFLOW_RESUMED: the workflow issues the report; REPORT_REVISED: this request issued revision 2;
   * APPLIED_AT_DEADLINE: the task had just timed out, and the workflow's deadline step applies the decision.
   */
  readonly outcome: 'WORKFLOW_RESUMED' | 'REPORT_REVISED' | 'APPLIED_AT_DEADLINE';
  readonly report?: { readonly revision: number; readonly studyStatus: string };
}

/** How SendTaskSuccess went: taken, timed out (the deadline step is running), or no such task (the execution ended). */
type Resume = 'RESUMED' | 'TIMED_OUT' | 'GONE';

/** The image references a decision's ADD amendments name that exist in the study. */
async function existingImageRefs(table: TableContext, studyKey: string, request: DecisionRequest): Promise<Set<string>> {
  const refs = [...new Set(request.amendments.flatMap((a) => (a?.type === 'ADD' && typeof a.imageRef === 'string' ? [a.imageRef] : [])))];
  const found = await Promise.all(refs.map(async (ref) => ((await getImage(table, studyKey, ref)) === undefined ? [] : [ref])));
  return new Set(found.flat());
}

async function checkedTriage(deps: DecideDeps, studyKey: string, review: ReviewRecord, request: DecisionRequest): Promise<TriagedFinding[]> {
  const triage = await loadTriage(deps.s3, review.aggregate);
  if (request.action !== ReviewAction.AMEND) return triage ?? [];
  if (triage === undefined) {
    throw new ApiError(ApiErrorCode.BAD_REQUEST, 'This study version has no stored findings to amend; approve or reject it');
  }
  const problems = amendmentProblems(request.amendments, triage, await existingImageRefs(deps.table, studyKey, request));
  if (problems.length > 0) throw new ApiError(ApiErrorCode.BAD_REQUEST, 'The amendments are invalid', problems);
  return triage;
}

export async function decide(deps: DecideDeps, input: DecideInput): Promise<DecisionOutcome> {
  const request = parseDecisionRequest(input.body);
  const { studyKey } = input;
  const { version } = request;
  const meta = await studyOrNotFound(deps.table, studyKey);
  const current = await reviewOrNotFound(deps.table, studyKey, version);
  const decision = DECISION_OF_ACTION[request.action];
  // The same reviewer sending the same decision again, after its delivery failed: deliver it now.
  if (isUndelivered(current) && current.reviewer === input.reviewer && current.decision === decision) {
    return deliver(deps, current, { decision, reviewer: input.reviewer, decidedAt: current.decidedAt ?? '' });
  }
  assertAwaitingDecision(meta, current);
  const triage = await checkedTriage(deps, studyKey, current, request);

  const decidedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const taken = await takeDecision(deps.table, studyKey, version, {
    decision,
    reviewer: input.reviewer,
    decidedAt,
    amendments: request.amendments,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
  });
  if (taken === undefined) throw new ApiError(ApiErrorCode.CONFLICT, `Version ${version} of this study was already decided`);
  deps.metrics?.record(MetricName.REVIEW_WAIT, Date.parse(decidedAt) - Date.parse(current.requestedAt));

  const diff = amendmentDiff(triage, request.amendments, applyAmendments(triage, request.amendments, input.reviewer));
  await putReviewDecisionAudit(deps.table, {
    studyKey,
    version,
    reviewer: input.reviewer,
    decidedAt,
    decision,
    amendments: request.amendments,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...diff,
    reviewStatus: taken.reviewStatus,
  });
  return deliver(deps, taken, { decision, reviewer: input.reviewer, decidedAt });
}

/**
 * Hands a recorded decision on: to the waiting workflow (its task token), or as
 * report revision 2 when the workflow is no longer waiting. `review` is the
 * record as it was when the decision was taken.
 */
async function deliver(deps: DecideDeps, review: ReviewRecord, answer: ReviewAnswer): Promise<DecisionOutcome> {
  const { studyKey, version } = review;
  const base = { studyKey, version, decision: answer.decision, decidedAt: answer.decidedAt };
  const resumed = review.taskToken === undefined ? 'GONE' : await resumeWorkflow(deps, review.taskToken, answer);
  if (resumed === 'TIMED_OUT') {
    deps.log.info('Review decision recorded as the task timed out; the deadline step applies it', { studyKey, version });
    return { ...base, outcome: 'APPLIED_AT_DEADLINE' };
  }
  if (resumed === 'RESUMED') {
    await markDecisionDelivered(deps.table, studyKey, version);
    deps.log.info('Review decision resumed the workflow', { studyKey, version, priority: review.priority });
    return { ...base, outcome: 'WORKFLOW_RESUMED' };
  }
  const persisted = await issueLateReport(deps, review, answer);
  if (persisted.status === StudyStatus.COMPLETED && persisted.overtaken !== true) deps.metrics?.record(MetricName.STUDIES_COMPLETED, 1);
  deps.log.info('Late review decision issued a report revision', { studyKey, version, reportVersion: persisted.reportVersion, status: persisted.status });
  return { ...base, outcome: 'REPORT_REVISED', report: { revision: persisted.reportVersion, studyStatus: persisted.status } };
}

async function resumeWorkflow(deps: DecideDeps, taskToken: string, answer: ReviewAnswer): Promise<Resume> {
  try {
    await deps.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(answer) }));
    return 'RESUMED';
  } catch (error) {
    if (error instanceof Error && error.name === 'TaskTimedOut') return 'TIMED_OUT';
    if (error instanceof Error && error.name === 'TaskDoesNotExist') return 'GONE';
    throw error;
  }
}

/** Report revision 2 of an overdue version, and its `Analysis Completed` announcement. */
async function issueLateReport(deps: DecideDeps, review: ReviewRecord, answer: ReviewAnswer): Promise<PersistedReport> {
  const persisted = await persistResults(deps, {
    studyKey: review.studyKey,
    version: review.version,
    results: review.results,
    aggregate: review.aggregate,
    review: answer,
  }, { revision: 2 });
  await notifyOutcome(deps, {
    studyKey: review.studyKey,
    version: review.version,
    aggregate: review.aggregate,
    persisted,
    detailType: DetailType.ANALYSIS_COMPLETED,
    review: { decision: answer.decision },
  });
  return persisted;
}
