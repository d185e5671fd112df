import { Duration, Token } from 'aws-cdk-lib';
import { IImageAnalyzer } from '../analyzers/image-analyzer';

/** The props of `AnalysisWorkflow` that shape the state graph, validated and defaulted. */
export interface WorkflowSettings {
  readonly autoReleaseThreshold: number;
  readonly reviewEnabled: boolean;
  readonly reviewTimeout: Duration;
  readonly executionTimeout: Duration;
}

/** What `resolveWorkflowSettings` reads (a subset of `AnalysisWorkflowProps`). */
export interface WorkflowSettingsInput {
  readonly analyzers: IImageAnalyzer[];
  readonly autoReleaseThreshold?: number;
  readonly reviewEnabled?: boolean;
  readonly reviewTimeout?: Duration;
  readonly executionTimeout?: Duration;
}

/** All prop validation in one place, before any resource is created. */
export function resolveWorkflowSettings(props: WorkflowSettingsInput): WorkflowSettings {
  if (!props.analyzers || props.analyzers.length === 0) {
    throw new Error("AnalysisWorkflow: 'analyzers' is empty; give at least one, e.g. [Analyzer.imageQuality()].");
  }
  const autoReleaseThreshold = props.autoReleaseThreshold ?? 0.8;
  if (!(autoReleaseThreshold >= 0 && autoReleaseThreshold <= 1)) {
    throw new Error(`AnalysisWorkflow: 'autoReleaseThreshold' must be between 0 and 1, got ${autoReleaseThreshold}.`);
  }
  const reviewEnabled = props.reviewEnabled ?? true;
  const reviewTimeout = props.reviewTimeout ?? Duration.hours(24);
  const executionTimeout = props.executionTimeout
    ?? (reviewEnabled ? Duration.hours(2).plus(reviewTimeout) : Duration.hours(2));
  if (!Token.isUnresolved(reviewTimeout) && reviewTimeout.toSeconds() < 1) {
    throw new Error('AnalysisWorkflow: \'reviewTimeout\' must be at least 1 second.');
  }
  if (reviewEnabled && props.executionTimeout && !Token.isUnresolved(executionTimeout) && !Token.isUnresolved(reviewTimeout)
    && executionTimeout.toSeconds() <= reviewTimeout.toSeconds()) {
    throw new Error(
      `AnalysisWorkflow: 'executionTimeout' (${executionTimeout.toHumanString()}) must exceed 'reviewTimeout' (${reviewTimeout.toHumanString()}), or a study waiting for review would time out instead of being persisted.`,
    );
  }
  return { autoReleaseThreshold, reviewEnabled, reviewTimeout, executionTimeout };
}
