/** What every AI-service analyzer handler does around its step: the deadline from the Lambda context, one log line per batch. */
import type { Context } from 'aws-lambda';
import { AnalyzerInvocation, AnalyzerResult } from '../../../shared/analyzer-result';
import { lazy } from '../../lambda/lazy';
import { SafeLog } from '../../lambda/logger';

export type LambdaDeadline = Pick<Context, 'getRemainingTimeInMillis'>;

export type BatchHandler = (invocation: AnalyzerInvocation, context?: LambdaDeadline) => Promise<AnalyzerResult>;

/** Runs `analyze` with the epoch-ms deadline the function must answer by, and logs the PHI-free outcome. */
export function batchHandler(log: SafeLog, analyze: (invocation: AnalyzerInvocation, deadline?: number) => Promise<AnalyzerResult>): BatchHandler {
  return async (invocation, context) => {
    const deadline = context === undefined ? undefined : Date.now() + context.getRemainingTimeInMillis();
    const result = await analyze(invocation, deadline);
    log.info('Batch analyzed', {
      analyzerName: invocation.analyzerName,
      studyKey: invocation.study?.studyKey,
      version: invocation.study?.version,
      batchIndex: invocation.batch.index,
      imageCount: invocation.batch.images.length,
      status: result.status,
      errorCode: result.errorCode,
      findingCount: result.findings.length,
      durationMs: result.durationMs,
    });
    return result;
  };
}

/** A Lambda entry point that wires its handler (clients, settings) on the first invocation and keeps it for the container's life. */
export function lazyEntryPoint(wire: () => BatchHandler): BatchHandler {
  const wired = lazy(wire);
  return (invocation, context) => wired()(invocation, context);
}
