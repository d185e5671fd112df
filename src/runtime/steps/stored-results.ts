/** The analyzers' study results, read back from S3 by the references in the workflow state. */
import { S3Client } from '@aws-sdk/client-s3';
import { StudyStateError } from './workflow-input';
import { resultOfOutcome } from '../../core/analysis';
import { TriagedFinding } from '../../core/findings';
import { AnalyzerResult } from '../../shared/analyzer-result';
import { AggregateSummary, AnalyzerOutcome } from '../../shared/workflow';
import { getJson } from '../storage/objects';

export async function loadAnalyzerResults(s3: S3Client, outcomes: readonly AnalyzerOutcome[]): Promise<AnalyzerResult[]> {
  return Promise.all(outcomes.map(async (outcome) => {
    if (outcome.result === undefined) return resultOfOutcome(outcome);
    const stored = await getJson<AnalyzerResult>(s3, outcome.result);
    if (stored === undefined) throw new StudyStateError('An analyzer result is missing');
    return stored;
  }));
}

/** The decisions the aggregate step stored for every finding (none when the summary has no triage). */
export async function loadTriage(s3: S3Client, aggregate: AggregateSummary): Promise<TriagedFinding[] | undefined> {
  if (aggregate.triage === undefined) return undefined;
  const triage = await getJson<TriagedFinding[]>(s3, aggregate.triage);
  if (triage === undefined) throw new StudyStateError('The findings triage is missing');
  return triage;
}
