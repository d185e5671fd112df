/**
 * Announces how a study version came out: `Analysis Completed` (released, or
 * decided by a clinician) or `Review Overdue` (the review deadline passed), as
 * an EventBridge event and an SNS message, both PHI-free.
 */
import { assertWorkflowInput, InvalidStepInputError } from './workflow-input';
import { DetailType, DetailTypeValue } from '../../shared/events';
import { AggregateSummary, PersistedReport } from '../../shared/workflow';
import { EventPublisher, MessagePublisher, publishEvent, publishMessage } from '../messaging/publish';

export interface NotifyOutcomeInput {
  readonly studyKey: string;
  readonly version: number;
  readonly aggregate: AggregateSummary;
  readonly persisted?: PersistedReport;
  readonly detailType: DetailTypeValue;
  /** The clinician's decision, when there was one. */
  readonly review?: { readonly decision?: string };
}

export interface NotifyOutcomeDeps {
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
}

const OUTCOME_TYPES: readonly string[] = [DetailType.ANALYSIS_COMPLETED, DetailType.REVIEW_OVERDUE];

export async function notifyOutcome(
  deps: NotifyOutcomeDeps,
  input: NotifyOutcomeInput,
): Promise<{ detailType: DetailTypeValue; notified: boolean }> {
  assertWorkflowInput(input);
  if (!OUTCOME_TYPES.includes(input.detailType)) {
    throw new InvalidStepInputError(`detailType must be one of ${OUTCOME_TYPES.join(', ')}`);
  }
  if (input.aggregate === undefined) {
    throw new InvalidStepInputError('aggregate is required');
  }
  const { studyKey, version, aggregate, persisted } = input;
  if (persisted?.overtaken === true) return { detailType: input.detailType, notified: false };
  // At the deadline the workflow may have applied a decision recorded earlier: that is a completion.
  const overdue = input.detailType === DetailType.REVIEW_OVERDUE && persisted?.reviewDecision === undefined;
  const detailType = overdue || input.detailType !== DetailType.REVIEW_OVERDUE ? input.detailType : DetailType.ANALYSIS_COMPLETED;
  const reviewDecision = persisted?.reviewDecision ?? input.review?.decision;
  await publishEvent(deps.events, detailType, {
    studyKey,
    version,
    priority: aggregate.priority,
    findingCount: aggregate.findingCount,
    maxConfidence: aggregate.maxConfidence,
    reviewRequired: aggregate.reviewRequired,
    reviewDecision,
    succeeded: aggregate.succeeded,
    failed: aggregate.failed,
    skipped: aggregate.skipped,
    status: persisted?.status,
    reportVersion: persisted?.reportVersion,
    reportKey: persisted?.fhirKey,
    htmlReportKey: persisted?.htmlKey,
  });
  await publishMessage(deps.messages, {
    subject: `Imaging pipeline: ${detailType}${overdue ? ` (${aggregate.priority})` : ''}`,
    eventType: detailType,
    priority: aggregate.priority,
    study: { studyKey, version },
    lines: [
      overdue
        ? 'The review of an imaging study is overdue; a preliminary report was issued and a decision is still accepted.'
        : 'The AI analysis of an imaging study is complete.',
      `Study (pseudonymous): ${studyKey}`,
      `Version: ${version}`,
      `Priority: ${aggregate.priority}`,
      `Findings: ${aggregate.findingCount} (highest confidence ${aggregate.maxConfidence.toFixed(2)})`,
      `Analyzers failed: ${aggregate.failed.length}`,
      ...(persisted === undefined ? [] : [`Report: ${persisted.fhirKey}`]),
    ],
  });
  return { detailType, notified: true };
}
