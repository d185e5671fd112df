import { AnalyzerResult } from '../../shared/analyzer-result';
import { AggregateSummary, ReviewDecision } from '../../shared/workflow';

/** Everything a report is built from; the same input and `issuedAt` give the same report. */
export interface ReportInput {
  readonly studyKey: string;
  readonly version: number;
  readonly results: readonly AnalyzerResult[];
  readonly aggregate: AggregateSummary;
  /** preliminary until released (auto-release or a clinician's approval). */
  readonly status: 'preliminary' | 'final';
  /** ISO-8601 time the report is issued. */
  readonly issuedAt: string;
  readonly reviewDecision?: ReviewDecision;
}

/** System URI of the pseudonymous study identifier used as the report subject. */
export const PSEUDONYM_IDENTIFIER_SYSTEM = 'urn:cdk-medical-imaging-pipeline:pseudonymous-study-key';
