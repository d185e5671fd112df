/**
 * The loop every AI-service analyzer shares: one batch of images in, one
 * `AnalyzerResult` out. Images are analysed one after the other (the
 * workflow's maxConcurrency is what bounds the request rate); the first image
 * that cannot be analysed fails the batch, transient errors are thrown for the
 * workflow to retry, and a deadline just before the function's own timeout
 * aborts the call in flight as a retryable timeout.
 */
import { validateAnalyzerResult } from '../../../core/analysis/result-validation';
import { addTokenUsage } from '../../../core/service-answers/bedrock-answer';
import { MODEL_VERSION } from '../../../core/service-answers/model-output';
import { AnalyzerErrorCode, AnalyzerErrorCodeValue } from '../../../shared/analyzer-errors';
import {
  ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerInvocation, AnalyzerResult, AnalyzerStatus, ImageReference, TokenUsage,
} from '../../../shared/analyzer-result';
import { SafeLog } from '../../lambda/logger';
import { InvalidStepInputError } from '../workflow-input';

/** What the analysis of one image came to. */
export type ImageOutcome =
  | { readonly ok: true; readonly findings: AnalyzerFinding[]; readonly modelVersion?: string; readonly tokenUsage?: TokenUsage }
  | {
    readonly ok: false;
    readonly errorCode: AnalyzerErrorCodeValue;
    /** Why a model answer was refused: fixed text naming fields, never values. */
    readonly problem?: string;
    readonly tokenUsage?: TokenUsage;
  };

/** One AI service, as the batch loop sees it. */
export interface ServiceAnalyzer {
  readonly modelId: string;
  /** Recorded when the service does not report a version. */
  readonly modelVersion: string;
  analyzeImage(image: ImageReference, abortSignal: AbortSignal): Promise<ImageOutcome>;
}

export interface BatchDeps {
  readonly log: SafeLog;
  readonly clock?: () => number;
  /** Epoch milliseconds by which the function must have answered (its timeout). @default - no deadline */
  readonly deadline?: number;
}

/** Time left for the function to return once the call in flight is aborted. */
export const DEADLINE_MARGIN_MS = 1500;

export function assertInvocation(invocation: AnalyzerInvocation): void {
  if (typeof invocation?.analyzerName !== 'string' || !Array.isArray(invocation.batch?.images)) {
    throw new InvalidStepInputError('analyzerName and batch.images are required');
  }
}

export async function analyzeBatch(analyzer: ServiceAnalyzer, invocation: AnalyzerInvocation, deps: BatchDeps): Promise<AnalyzerResult> {
  assertInvocation(invocation);
  const clock = deps.clock ?? (() => Date.now());
  const started = clock();
  const images = invocation.batch.images;
  const abort = new AbortController();
  const timer = deps.deadline === undefined ? undefined : setTimeout(() => abort.abort(), Math.max(0, deps.deadline - clock() - DEADLINE_MARGIN_MS));
  const result = (status: AnalyzerStatus, fields: Partial<AnalyzerResult>): AnalyzerResult => ({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: invocation.analyzerName,
    modelId: analyzer.modelId,
    modelVersion: analyzer.modelVersion,
    status,
    findings: [],
    durationMs: Math.max(0, clock() - started),
    imageCount: images.length,
    ...fields,
  });
  try {
    const findings: AnalyzerFinding[] = [];
    let tokenUsage: TokenUsage | undefined;
    let modelVersion = analyzer.modelVersion;
    for (const image of images) {
      const outcome = await analyzer.analyzeImage(image, abort.signal);
      tokenUsage = addTokenUsage(tokenUsage, outcome.tokenUsage);
      if (!outcome.ok) {
        if (outcome.problem !== undefined) {
          deps.log.warn('Model answer refused', { analyzerName: invocation.analyzerName, errorCode: outcome.errorCode, problem: outcome.problem });
        }
        return result(AnalyzerStatus.FAILED, { errorCode: outcome.errorCode, ...(tokenUsage === undefined ? {} : { tokenUsage }) });
      }
      if (outcome.modelVersion !== undefined && MODEL_VERSION.test(outcome.modelVersion)) modelVersion = outcome.modelVersion;
      findings.push(...outcome.findings);
    }
    const succeeded = result(AnalyzerStatus.SUCCEEDED, { modelVersion, findings, ...(tokenUsage === undefined ? {} : { tokenUsage }) });
    // Last guard: what leaves here passes the workflow's own result check.
    const checked = validateAnalyzerResult(succeeded, { analyzerName: invocation.analyzerName, imageRefs: new Set(images.map((i) => i.imageRef)) });
    if (!checked.valid) {
      deps.log.warn('Model answer refused', { analyzerName: invocation.analyzerName, problem: checked.problem });
      return result(AnalyzerStatus.FAILED, { errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT });
    }
    return succeeded;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
