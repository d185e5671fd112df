/** One result per analyzer and study, from the results of its batches. */
import { resultWithoutFindings } from './outcomes';
import { AnalyzerErrorCode } from '../../shared/analyzer-errors';
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus, TokenUsage } from '../../shared/analyzer-result';

/** What the workflow stored for one batch (`batch-<index>.json`). */
export interface BatchRecord {
  readonly index: number;
  readonly imageCount: number;
  readonly result: AnalyzerResult;
}

export interface StudyResultInput {
  readonly analyzerName: string;
  /** Used when no batch reported a model (every batch failed before answering). */
  readonly modelId: string;
  readonly modelVersion: string;
  /** Number of batches planned; a batch without a record counts as FAILED. */
  readonly batchCount: number;
  /** Images per planned batch, by index (for batches that left no record). */
  readonly imagesPerBatch: readonly number[];
  readonly records: ReadonlyArray<BatchRecord | undefined>;
}

/**
 * SUCCEEDED when every batch succeeded; FAILED (with the first failed batch's
 * error code) when any failed, keeping the other batches' findings; SKIPPED when
 * the analyzer skipped every batch. Durations and token usage add up.
 */
export function studyResult(input: StudyResultInput): AnalyzerResult {
  const records = Array.from({ length: input.batchCount }, (_, i) => input.records[i]);
  const lost = resultWithoutFindings(input, AnalyzerStatus.FAILED, { errorCode: AnalyzerErrorCode.BATCH_INCOMPLETE });
  const results = records.map((record, index): { result: AnalyzerResult; images: number } => record === undefined
    ? { images: input.imagesPerBatch[index] ?? 0, result: lost }
    : { images: record.imageCount, result: record.result });
  const failed = results.filter((r) => r.result.status === AnalyzerStatus.FAILED);
  const skipped = results.filter((r) => r.result.status === AnalyzerStatus.SKIPPED);
  const answered = results.find((r) => r.result.status === AnalyzerStatus.SUCCEEDED) ?? results[0];
  const status = failed.length > 0 ? AnalyzerStatus.FAILED
    : results.length > 0 && skipped.length === results.length ? AnalyzerStatus.SKIPPED
      : AnalyzerStatus.SUCCEEDED;
  const usage = results.map((r) => r.result.tokenUsage).filter((u): u is TokenUsage => u !== undefined);
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: input.analyzerName,
    modelId: answered?.result.modelId ?? input.modelId,
    modelVersion: answered?.result.modelVersion ?? input.modelVersion,
    status,
    findings: results.flatMap((r) => r.result.findings),
    durationMs: results.reduce((sum, r) => sum + r.result.durationMs, 0),
    imageCount: results.reduce((sum, r) => sum + r.images, 0),
    failedImageCount: failed.reduce((sum, r) => sum + r.images, 0),
    ...(failed.length > 0 ? { errorCode: failed[0].result.errorCode ?? AnalyzerErrorCode.ANALYZER_ERROR } : {}),
    ...(status === AnalyzerStatus.SKIPPED && skipped[0].result.skipReason ? { skipReason: skipped[0].result.skipReason } : {}),
    ...(usage.length > 0 ? {
      tokenUsage: {
        inputTokens: usage.reduce((s, u) => s + u.inputTokens, 0),
        outputTokens: usage.reduce((s, u) => s + u.outputTokens, 0),
      },
    } : {}),
  };
}
