/**
 * An analyzer's last step for a study: its batch records combined into one
 * result (stored as `result.json`), and the bounded outcome the workflow state carries.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { assertStudyRequest } from './plan-analysis';
import { InvalidStepInputError, StudyStateError } from './workflow-input';
import { outcomeOf } from '../../core/analysis/outcomes';
import { BatchRecord, studyResult } from '../../core/analysis/study-result';
import { AnalyzerResult, ImageBatch } from '../../shared/analyzer-result';
import { batchRecordObject, STUDY_RESULT_OBJECT } from '../../shared/records';
import { AnalyzerOutcome, CollectAnalysisRequest } from '../../shared/workflow';
import { getJson, putJson } from '../storage/objects';

export interface CollectAnalysisDeps {
  readonly s3: S3Client;
  readonly derivedBucket: string;
  /** Batch records read at once. @default 16 */
  readonly readConcurrency?: number;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function collectAnalysis(deps: CollectAnalysisDeps, request: CollectAnalysisRequest): Promise<AnalyzerOutcome> {
  assertStudyRequest(request);
  const plan = request.plan;
  if (typeof plan?.resultsPrefix !== 'string' || !Number.isInteger(plan.batchCount)) {
    throw new InvalidStepInputError('plan with resultsPrefix and batchCount is required');
  }
  const location = (object: string) => ({ bucket: deps.derivedBucket, key: `${plan.resultsPrefix}${object}` });
  if (plan.carriedOver === true) {
    // A re-analysis carried this analyzer's previous result over (see plan-analysis).
    const carried = await getJson<AnalyzerResult>(deps.s3, location(STUDY_RESULT_OBJECT));
    if (carried === undefined) throw new StudyStateError('The carried-over analyzer result is missing');
    return outcomeOf(carried, location(STUDY_RESULT_OBJECT));
  }
  const indices = Array.from({ length: plan.batchCount }, (_, i) => i);
  const records = await mapLimited(indices, deps.readConcurrency ?? 16,
    (i) => getJson<BatchRecord>(deps.s3, location(batchRecordObject(i))));
  // Sizes of batches that left no record come from the plan's batches object.
  const planned = records.some((r) => r === undefined)
    ? (await getJson<ImageBatch[]>(deps.s3, plan.batchesObject)) ?? []
    : [];
  const result = studyResult({
    analyzerName: request.analyzerName,
    modelId: request.modelId,
    modelVersion: request.modelVersion,
    batchCount: plan.batchCount,
    imagesPerBatch: planned.map((b) => b.images.length),
    records,
  });
  const stored = location(STUDY_RESULT_OBJECT);
  await putJson(deps.s3, stored, result);
  return outcomeOf(result, stored);
}
