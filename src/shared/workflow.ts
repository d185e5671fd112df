/**
 * Shapes of the workflow state (Step Functions, JSONPath). The construct builds
 * the states and the step handlers read and write exactly these fields.
 */
import { AnalyzerResult, StudyDescriptor } from './analyzer-result';

/** A clinician's decision on findings that needed review, or TIMED_OUT when none came in time. */
export type ReviewDecision = 'APPROVED' | 'REJECTED' | 'TIMED_OUT';

/** Input of one execution (one study version). */
export interface WorkflowInput {
  readonly studyKey: string;
  readonly version: number;
}

/** After "Select images" (`$.study`). */
export interface WorkflowStateWithStudy extends WorkflowInput {
  readonly study: StudyDescriptor;
}

/** Output of "Aggregate findings" (`$.aggregate`). */
export interface AggregateSummary {
  readonly findingCount: number;
  readonly maxConfidence: number;
  readonly reviewRequired: boolean;
  readonly succeeded: string[];
  readonly failed: string[];
  readonly skipped: string[];
}

/** State after the analyzers ran (`$.results`) and were aggregated. */
export interface WorkflowStateWithResults extends WorkflowStateWithStudy {
  readonly results: AnalyzerResult[];
  readonly aggregate: AggregateSummary;
  /** Set when review was required (`$.review`): the clinician's decision, or TIMED_OUT. */
  readonly review?: { readonly decision: ReviewDecision; readonly reviewer?: string };
}

/** Output of "Persist results" (`$.persisted`). */
export interface PersistedReport {
  readonly reportVersion: number;
  readonly fhirKey: string;
  readonly htmlKey: string;
  readonly status: string;
}

/** Input of "Mark failed" (`$.error` comes from the Catch). */
export interface FailureInput extends WorkflowInput {
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}
