/**
 * Between an analyzer's study result (stored in S3) and its outcome (what the
 * workflow state carries: counts and a pointer, never the findings).
 */
import { ANALYZER_CONTRACT_VERSION, AnalyzerResult, AnalyzerStatus, S3ObjectReference } from '../../shared/analyzer-result';
import { AnalyzerOutcome } from '../../shared/workflow';

/** Which analyzer and model a result or outcome is about. */
export interface AnalyzerIdentity {
  readonly analyzerName: string;
  readonly modelId: string;
  readonly modelVersion: string;
}

/** The optional codes, copied only where set (the state and the stored JSON stay free of nulls). */
function codesOf(from: { readonly errorCode?: string; readonly skipReason?: string }): { errorCode?: string; skipReason?: string } {
  return {
    ...(from.errorCode === undefined ? {} : { errorCode: from.errorCode }),
    ...(from.skipReason === undefined ? {} : { skipReason: from.skipReason }),
  };
}

/** The outcome of a study result, pointing at where it was stored (if it was). */
export function outcomeOf(result: AnalyzerResult, stored?: S3ObjectReference): AnalyzerOutcome {
  return {
    analyzerName: result.analyzerName,
    modelId: result.modelId,
    modelVersion: result.modelVersion,
    status: result.status,
    findingCount: result.findings.length,
    durationMs: result.durationMs,
    imageCount: result.imageCount ?? 0,
    failedImageCount: result.failedImageCount ?? 0,
    ...codesOf(result),
    ...(stored === undefined ? {} : { result: stored }),
  };
}

/** A result without findings: for an analyzer that never answered (skipped, failed early, a batch lost). */
export function resultWithoutFindings(
  identity: AnalyzerIdentity,
  status: AnalyzerStatus,
  details: Partial<Pick<AnalyzerResult, 'durationMs' | 'imageCount' | 'failedImageCount' | 'errorCode' | 'skipReason'>> = {},
): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: identity.analyzerName,
    modelId: identity.modelId,
    modelVersion: identity.modelVersion,
    status,
    findings: [],
    durationMs: details.durationMs ?? 0,
    ...(details.imageCount === undefined ? {} : { imageCount: details.imageCount }),
    ...(details.failedImageCount === undefined ? {} : { failedImageCount: details.failedImageCount }),
    ...codesOf(details),
  };
}

/** The result an outcome stands for when its branch stored none. */
export function resultOfOutcome(outcome: AnalyzerOutcome): AnalyzerResult {
  return resultWithoutFindings(outcome, outcome.status, outcome);
}
