import { Duration, Token } from 'aws-cdk-lib';
import { ReviewDeadlines } from './review-deadlines';
import { DeadlineSeconds } from './review-step';
import { DEFAULT_AUTO_RELEASE_THRESHOLD, ruleProblems, thresholdRules } from '../../core/findings/finding-rules';
import { FindingRule, StudyPriority } from '../../shared/finding-rules';
import { IImageAnalyzer } from '../analyzers/image-analyzer';

/** The props of `AnalysisWorkflow` that shape the state graph, validated and defaulted. */
export interface WorkflowSettings {
  readonly findingRules: FindingRule[];
  readonly reviewEnabled: boolean;
  readonly reviewDeadlines: DeadlineSeconds;
  readonly executionTimeout: Duration;
}

/** What `resolveWorkflowSettings` reads (a subset of `AnalysisWorkflowProps`). */
export interface WorkflowSettingsInput {
  readonly analyzers: IImageAnalyzer[];
  readonly findingRules?: FindingRule[];
  readonly autoReleaseThreshold?: number;
  readonly reviewEnabled?: boolean;
  readonly reviewDeadlines?: ReviewDeadlines;
  readonly executionTimeout?: Duration;
}

/** All prop validation in one place, before any resource is created. */
export function resolveWorkflowSettings(props: WorkflowSettingsInput): WorkflowSettings {
  if (!props.analyzers || props.analyzers.length === 0) {
    throw new Error("AnalysisWorkflow: 'analyzers' is empty; give at least one, e.g. [Analyzer.imageQuality()].");
  }
  const findingRules = resolveFindingRules(props);
  const reviewEnabled = props.reviewEnabled ?? true;
  const reviewDeadlines = resolveDeadlines(props.reviewDeadlines ?? {});
  const longestReview = Duration.seconds(Math.max(...Object.values(reviewDeadlines)));
  const executionTimeout = props.executionTimeout
    ?? (reviewEnabled ? Duration.hours(2).plus(longestReview) : Duration.hours(2));
  if (reviewEnabled && props.executionTimeout && !Token.isUnresolved(executionTimeout)
    && executionTimeout.toSeconds() <= longestReview.toSeconds()) {
    throw new Error(
      `AnalysisWorkflow: 'executionTimeout' (${executionTimeout.toHumanString()}) must exceed the longest review deadline (${longestReview.toHumanString()}), or a study waiting for review would time out instead of being persisted.`,
    );
  }
  return { findingRules, reviewEnabled, reviewDeadlines, executionTimeout };
}

function resolveDeadlines(deadlines: ReviewDeadlines): DeadlineSeconds {
  const seconds = (name: string, value: Duration | undefined, fallback: Duration) => {
    const d = value ?? fallback;
    if (Token.isUnresolved(d)) throw new Error(`AnalysisWorkflow: 'reviewDeadlines.${name}' must be a concrete duration.`);
    const s = d.toMilliseconds() / 1000;
    if (!(Number.isInteger(s) && s >= 1)) throw new Error(`AnalysisWorkflow: 'reviewDeadlines.${name}' must be a whole number of seconds, at least 1.`);
    return s;
  };
  return {
    [StudyPriority.ROUTINE]: seconds('routine', deadlines.routine, Duration.hours(24)),
    [StudyPriority.URGENT]: seconds('urgent', deadlines.urgent, Duration.hours(4)),
    [StudyPriority.STAT]: seconds('stat', deadlines.stat, Duration.hours(1)),
  };
}

function resolveFindingRules(props: WorkflowSettingsInput): FindingRule[] {
  if (props.findingRules !== undefined) {
    if (props.autoReleaseThreshold !== undefined) {
      throw new Error("AnalysisWorkflow: give either 'findingRules' or 'autoReleaseThreshold' (a shorthand for two rules), not both.");
    }
    const problems = ruleProblems(props.findingRules);
    if (problems.length > 0) throw new Error(`AnalysisWorkflow: 'findingRules': ${problems.join('; ')}.`);
    return props.findingRules;
  }
  const threshold = props.autoReleaseThreshold ?? DEFAULT_AUTO_RELEASE_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new Error(`AnalysisWorkflow: 'autoReleaseThreshold' must be between 0 and 1, got ${threshold}.`);
  }
  return thresholdRules(threshold);
}
