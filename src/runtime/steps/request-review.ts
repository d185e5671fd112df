/**
 * A held study asks for a clinician: the task token that resumes the workflow
 * is stored in the table (and only there), the study moves ANALYZING ->
 * IN_REVIEW with its priority and deadline (what the worklist sorts by), and a
 * `Review Required` event and an SNS message carry the study key, priority and
 * counts, never the token.
 */
import { assertWorkflowInput, InvalidStepInputError, StudyStateError, StudySupersededError } from './workflow-input';
import { DetailType } from '../../shared/events';
import { StudyStatus } from '../../shared/records';
import { AggregateSummary, AnalyzerOutcome } from '../../shared/workflow';
import { EventPublisher, MessagePublisher, publishEvent, publishMessage } from '../messaging/publish';
import { TableContext } from '../storage/context';
import { putReviewRequest } from '../storage/reviews';
import { getStudy, transitionStudy } from '../storage/studies';

export interface RequestReviewInput {
  readonly studyKey: string;
  readonly version: number;
  readonly taskToken: string;
  readonly aggregate: AggregateSummary;
  readonly results: AnalyzerOutcome[];
  /** Seconds until the decision is due (by priority, from the definition). */
  readonly deadlineSeconds: number;
}

export interface RequestReviewDeps {
  readonly table: TableContext;
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
  readonly clock?: () => Date;
}

export async function requestReview(deps: RequestReviewDeps, input: RequestReviewInput): Promise<{ requested: boolean; deadline: string }> {
  assertWorkflowInput(input);
  if (typeof input.taskToken !== 'string' || input.taskToken === '' || input.aggregate === undefined || !Array.isArray(input.results)
    || !(input.deadlineSeconds > 0)) {
    throw new InvalidStepInputError('taskToken, aggregate, results and a positive deadlineSeconds are required');
  }
  const { studyKey, version, aggregate } = input;
  const now = (deps.clock ?? (() => new Date()))();
  const requestedAt = now.toISOString();
  const deadline = new Date(now.getTime() + input.deadlineSeconds * 1000).toISOString();
  const stored = await putReviewRequest(deps.table, {
    studyKey,
    version,
    reviewStatus: 'PENDING',
    priority: aggregate.priority,
    requestedAt,
    deadline,
    aggregate,
    results: input.results,
    taskToken: input.taskToken,
  });
  if (!stored) {
    // Decided (or overdue) already: this is a stale retry, and a decision must not be undone.
    return { requested: false, deadline };
  }
  const moved = await transitionStudy(deps.table, {
    studyKey,
    version,
    from: [StudyStatus.ANALYZING, StudyStatus.IN_REVIEW],
    to: StudyStatus.IN_REVIEW,
    now: requestedAt,
    attributes: { priority: aggregate.priority, reviewDeadline: deadline, reviewOverdue: false },
  });
  if (!moved) {
    const meta = await getStudy(deps.table, studyKey);
    // A late instance opened a newer version: its own run asks for the review of everything.
    if (meta !== undefined && meta.version > version) throw new StudySupersededError();
    throw new StudyStateError('Study version is not being analysed');
  }
  await publishEvent(deps.events, DetailType.REVIEW_REQUIRED, {
    studyKey,
    version,
    priority: aggregate.priority,
    deadline,
    findingCount: aggregate.findingCount,
    heldCount: aggregate.heldCount,
    reviewReasons: aggregate.reviewReasons,
  });
  await publishMessage(deps.messages, {
    subject: `Imaging study needs review (${aggregate.priority})`,
    eventType: DetailType.REVIEW_REQUIRED,
    priority: aggregate.priority,
    study: { studyKey, version },
    lines: [
      'An imaging study needs a clinician review.',
      `Study (pseudonymous): ${studyKey}`,
      `Version: ${version}`,
      `Priority: ${aggregate.priority}`,
      `Due by: ${deadline}`,
      `Findings held for review: ${aggregate.heldCount} of ${aggregate.findingCount}`,
      `Why: ${aggregate.reviewReasons.join(', ')}`,
    ],
  });
  return { requested: true, deadline };
}
