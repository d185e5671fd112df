/**
 * Stores one batch's outcome as `batch-<index>.json`: the analyzer's result
 * once it passed validation, or a FAILED result naming why (the workflow's
 * catch, or an invalid result). A retried write rewrites the same record.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidStepInputError } from './workflow-input';
import { validateAnalyzerResult } from '../../core/analysis/result-validation';
import { BatchRecord } from '../../core/analysis/study-result';
import { AnalyzerErrorCode, errorCodeForFailure } from '../../shared/analyzer-errors';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus, ImageBatch, StudyContext } from '../../shared/analyzer-result';
import { batchRecordObject } from '../../shared/records';
import { SafeLog } from '../lambda/logger';
import { putJson } from '../storage/objects';

export interface RecordBatchRequest {
  readonly analyzerName: string;
  readonly study: StudyContext;
  readonly batch: ImageBatch;
  readonly resultsPrefix: string;
  /** What the analyzer returned (success path). */
  readonly result?: unknown;
  /** The catch's error (failure path); only its name is used. */
  readonly failure?: { readonly Error?: string };
}

export interface RecordBatchOutput {
  readonly index: number;
  readonly status: AnalyzerStatus;
  readonly findingCount: number;
  readonly errorCode?: string;
}

export interface RecordBatchDeps {
  readonly s3: S3Client;
  readonly derivedBucket: string;
  readonly log: SafeLog;
}

function failed(analyzerName: string, errorCode: string): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName,
    modelId: 'unknown',
    modelVersion: 'unknown',
    status: AnalyzerStatus.FAILED,
    findings: [],
    durationMs: 0,
    errorCode,
  };
}

/** The result to store: validated, or FAILED with the reason. */
export function batchResult(request: RecordBatchRequest, log: SafeLog): AnalyzerResult {
  if (request.failure !== undefined) {
    return failed(request.analyzerName, errorCodeForFailure(request.failure.Error));
  }
  const checked = validateAnalyzerResult(request.result, {
    analyzerName: request.analyzerName,
    imageRefs: new Set(request.batch.images.map((image) => image.imageRef)),
  });
  if (!checked.valid) {
    // The problem names a field, never a value.
    log.warn('Analyzer result rejected', { analyzerName: request.analyzerName, problem: checked.problem });
    return failed(request.analyzerName, AnalyzerErrorCode.INVALID_RESULT);
  }
  return checked.result;
}

export async function recordBatch(deps: RecordBatchDeps, request: RecordBatchRequest): Promise<RecordBatchOutput> {
  if (typeof request?.analyzerName !== 'string' || !Array.isArray(request.batch?.images) || !Number.isInteger(request.batch.index)
    || typeof request.resultsPrefix !== 'string') {
    throw new InvalidStepInputError('analyzerName, batch and resultsPrefix are required');
  }
  const result = batchResult(request, deps.log);
  const record: BatchRecord = { index: request.batch.index, imageCount: request.batch.images.length, result };
  await putJson(deps.s3, { bucket: deps.derivedBucket, key: `${request.resultsPrefix}${batchRecordObject(request.batch.index)}` }, record);
  return {
    index: record.index,
    status: result.status,
    findingCount: result.findings.length,
    ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
  };
}
