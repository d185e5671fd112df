import { AnalyzerResult } from '../../shared/analyzer-result';
import { ReviewDecision } from '../../shared/reviews';
import { AggregateSummary } from '../../shared/workflow';

/** FHIR DiagnosticReport.status values the pipeline writes. */
export type ReportStatus = 'preliminary' | 'final' | 'amended';

/** Everything a report is built from; the same input and `issuedAt` give the same report. */
export interface ReportInput {
  readonly studyKey: string;
  readonly version: number;
  /** Revision of the version's report: 1 from the workflow, 2 after a late decision. @default 1 */
  readonly revision?: number;
  readonly results: readonly AnalyzerResult[];
  readonly aggregate: AggregateSummary;
  /** preliminary until released (auto-release or a clinician's decision); amended when it follows a final report. */
  readonly status: ReportStatus;
  /** ISO-8601 time the report is issued. */
  readonly issuedAt: string;
  readonly reviewDecision?: ReviewDecision;
  /** Pseudonymous id of the clinician who took the decision. */
  readonly reviewer?: string;
  /** ISO-8601 time the clinician took the decision (the SR's Verification DateTime). */
  readonly decidedAt?: string;
}

/** System URI of the pseudonymous study identifier used as the report subject. */
export const PSEUDONYM_IDENTIFIER_SYSTEM = 'urn:cdk-medical-imaging-pipeline:pseudonymous-study-key';
