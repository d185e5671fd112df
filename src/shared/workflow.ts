/**
 * Shapes of the workflow state (Step Functions, JSONPath). The construct builds
 * the states and the step handlers read and write exactly these fields. No
 * field grows with the number of images: image lists, batch results and
 * analyzer results live in S3 and the state carries references to them.
 */
import { AnalyzerApplicability, ImageSelectionStrategy } from './analysis-plan';
import {
  AnalyzerInvocation,
  AnalyzerStatus,
  ImageBatch,
  S3ObjectReference,
  StudyContext,
} from './analyzer-result';
import { FindingRule, StudyPriority } from './finding-rules';
import { ReviewDecision } from './reviews';

/** Input of one execution (one study version). */
export interface WorkflowInput {
  readonly studyKey: string;
  readonly version: number;
}

/**
 * What "Select images" puts at `$.study`: the analyzers' `StudyContext`, and,
 * in a version a re-analysis opened, what it asks (read from the study META in
 * the same write that claims the version, so a normal run reads nothing more).
 */
export interface WorkflowStudy extends StudyContext {
  readonly reanalysis?: ReanalysisOrder;
}

/** After "Select images" (`$.study`). */
export interface WorkflowStateWithStudy extends WorkflowInput {
  readonly study: WorkflowStudy;
}

/** An analyzer's image selection as the plan step receives it. */
export interface ImageSelectionSpec {
  readonly strategy: ImageSelectionStrategy;
  /** n of EVERY_NTH / AT_MOST_PER_SERIES / AT_MOST_PER_STUDY. */
  readonly count?: number;
}

/** Input of "Aggregate findings". */
export interface AggregateRequest {
  readonly studyKey: string;
  readonly version: number;
  readonly results: AnalyzerOutcome[];
  /** The workflow's finding rules (constants of the definition), first match decides. */
  readonly findingRules: FindingRule[];
  /** The study's `requiresReview` (burned-in annotation flagged at ingest). */
  readonly studyRequiresReview?: boolean;
}

/** Input of an analyzer's plan step: the study and the analyzer's settings (constants of the definition). */
export interface AnalysisPlanRequest {
  readonly analyzerName: string;
  readonly study: WorkflowStudy;
  readonly selection: ImageSelectionSpec;
  readonly applicability?: AnalyzerApplicability;
  readonly batchSize: number;
}

/** How the batches of one analyzer run. */
export type BatchMode = 'INLINE' | 'DISTRIBUTED';

/** Output of an analyzer's plan step (`$.plan` in its branch). */
export interface AnalysisPlan {
  readonly applies: boolean;
  /** Why the analyzer does not apply (when `applies` is false). */
  readonly skipReason?: string;
  readonly imageCount: number;
  readonly batchCount: number;
  readonly mode: BatchMode;
  /** The batches themselves, INLINE mode only (at most INLINE_MAP_MAX_IMAGES images); otherwise empty. */
  readonly batches: ImageBatch[];
  /** JSON array of every batch (read by the Distributed Map in DISTRIBUTED mode). */
  readonly batchesObject: S3ObjectReference;
  /** Prefix the batch records and the study result are written under. */
  readonly resultsPrefix: string;
  /** A re-analysis did not ask for this analyzer: its previous result was copied to `resultsPrefix` (no batches). */
  readonly carriedOver?: boolean;
}

/**
 * What a re-analysis asks of one study version (`$.study.reanalysis`; the study
 * META keeps it as the version's `reanalysis` mark). Small: analyzer names only.
 */
export interface ReanalysisOrder {
  readonly runId: string;
  readonly previousVersion: number;
  /** Analyzers that run again; every other analyzer carries over its previous result. */
  readonly analyzers: readonly string[];
}

/** State of one batch iteration after the analyzer ran (or failed). */
export interface BatchIterationState extends AnalyzerInvocation {
  /** Set when the analyzer's states returned. */
  readonly outcome?: { readonly result: unknown };
  /** Set by the iteration's Catch when they failed after the retries. */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
  /** Where batch records go (from the plan). */
  readonly resultsPrefix: string;
}

/** Input of an analyzer's collect step. */
export interface CollectAnalysisRequest {
  readonly analyzerName: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly study: StudyContext;
  readonly plan: AnalysisPlan;
}

/** One analyzer's outcome in the workflow state (`$.results[i]`); the findings are in `result`. */
export interface AnalyzerOutcome {
  readonly analyzerName: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly status: AnalyzerStatus;
  readonly findingCount: number;
  readonly durationMs: number;
  readonly imageCount: number;
  readonly failedImageCount: number;
  readonly errorCode?: string;
  /** The Step Functions error that failed the analyzer's own steps (plan, batches, collect), e.g. `States.Timeout`; its name only. */
  readonly errorName?: string;
  readonly skipReason?: string;
  /** The study's `AnalyzerResult` (absent when the analyzer was skipped or its branch failed before collecting). */
  readonly result?: S3ObjectReference;
}

/** Output of "Aggregate findings" (`$.aggregate`). */
export interface AggregateSummary {
  /** Findings reported (suppressed ones left out). */
  readonly findingCount: number;
  /** Reported findings a rule held for review. */
  readonly heldCount: number;
  /** Findings a rule suppressed. */
  readonly suppressedCount: number;
  readonly maxConfidence: number;
  /** The highest priority among the reported findings (ROUTINE when none). */
  readonly priority: StudyPriority;
  readonly reviewRequired: boolean;
  /** Why review is required (`ReviewReason`); empty when released. */
  readonly reviewReasons: string[];
  readonly succeeded: string[];
  readonly failed: string[];
  readonly skipped: string[];
  /** Every finding with its decision (JSON array of triaged findings), for the reports and the reviewer. */
  readonly triage?: S3ObjectReference;
}

/** State after the analyzers ran (`$.results`) and were aggregated. */
export interface WorkflowStateWithResults extends WorkflowStateWithStudy {
  readonly results: AnalyzerOutcome[];
  readonly aggregate: AggregateSummary;
  /** Set when review was required (`$.review`): the clinician's decision, or TIMED_OUT at the deadline. */
  readonly review?: { readonly decision: ReviewDecision; readonly reviewer?: string; readonly decidedAt?: string };
}

/** Output of "Persist results" (`$.persisted`). */
export interface PersistedReport {
  /** Report revision within the study version: 1 from the workflow, 2 after a late decision. */
  readonly reportVersion: number;
  readonly fhirKey: string;
  readonly htmlKey: string;
  readonly status: string;
  /** The decision the report carries, when a clinician's (at the deadline, one recorded earlier but not delivered). */
  readonly reviewDecision?: string;
  /** A later revision of this version (a late decision) overtook this report while it was written: nothing to announce. */
  readonly overtaken?: boolean;
}

/** Input of "Mark failed" (`$.error` comes from the Catch). */
export interface FailureInput extends WorkflowInput {
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Error name a step throws when a newer version of the study opened meanwhile; the workflow then ends that run quietly. */
export const STUDY_SUPERSEDED_ERROR = 'StudySuperseded';
