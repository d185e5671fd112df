/**
 * Workflow step "Aggregate findings": the analyzers' results read back from S3,
 * every finding decided by the finding rules, the decisions stored beside the
 * results (`triage.json`) and the bounded summary returned for the review choice.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { loadAnalyzerResults } from './stored-results';
import { assertWorkflowInput, InvalidStepInputError } from './workflow-input';
import { triageFindings } from '../../core/findings';
import { triageKey } from '../../shared/records';
import { AggregateRequest, AggregateSummary } from '../../shared/workflow';
import { putJson } from '../storage/objects';

export interface AggregateFindingsDeps {
  readonly s3: S3Client;
  readonly derivedBucket: string;
}

export async function aggregateStudyFindings(deps: AggregateFindingsDeps, request: AggregateRequest): Promise<AggregateSummary> {
  assertWorkflowInput(request);
  if (!Array.isArray(request.results) || !Array.isArray(request.findingRules)) {
    throw new InvalidStepInputError('results and findingRules must be arrays');
  }
  const triage = triageFindings(await loadAnalyzerResults(deps.s3, request.results), request.findingRules, request.studyRequiresReview === true);
  const stored = { bucket: deps.derivedBucket, key: triageKey(request.studyKey, request.version) };
  await putJson(deps.s3, stored, triage.findings);
  return { ...triage.summary, triage: stored };
}
