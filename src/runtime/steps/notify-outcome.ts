/** Announces a study version's outcome: an EventBridge event and an SNS message, both PHI-free. */
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
}

export interface NotifyOutcomeDeps {
  readonly events: EventPublisher;
  readonly messages: MessagePublisher;
}

const OUTCOME_TYPES: readonly string[] = [DetailType.ANALYSIS_COMPLETED, DetailType.REVIEW_REQUIRED];

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
  await publishEvent(deps.events, input.detailType, {
    studyKey,
    version,
    findingCount: aggregate.findingCount,
    maxConfidence: aggregate.maxConfidence,
    reviewRequired: aggregate.reviewRequired,
    succeeded: aggregate.succeeded,
    failed: aggregate.failed,
    skipped: aggregate.skipped,
    status: persisted?.status,
    reportKey: persisted?.fhirKey,
    htmlReportKey: persisted?.htmlKey,
  });
  await publishMessage(deps.messages, `Imaging pipeline: ${input.detailType}`, [
    input.detailType === DetailType.REVIEW_REQUIRED
      ? 'An imaging study needs a clinician review.'
      : 'The AI analysis of an imaging study is complete.',
    `Study (pseudonymous): ${studyKey}`,
    `Version: ${version}`,
    `Findings: ${aggregate.findingCount} (highest confidence ${aggregate.maxConfidence.toFixed(2)})`,
    `Analyzers failed: ${aggregate.failed.length}`,
    ...(persisted === undefined ? [] : [`Report: ${persisted.fhirKey}`]),
  ]);
  return { detailType: input.detailType, notified: true };
}
