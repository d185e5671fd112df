/**
 * Built-in analyzer Lambda (`Analyzer.sageMakerEndpoint({ asyncInference })`):
 * `{ action: 'start', ...AnalyzerInvocation }` submits the batch,
 * `{ action: 'poll', progress }` checks its outputs; both return an `AsyncBatchProgress`.
 */
import { AsyncBatchProgress } from '../../../core/service-answers/sagemaker-async';
import { InvalidAnalyzerSettingsError, readSageMakerSettings } from '../../../core/service-answers/settings';
import { AnalyzerInvocation } from '../../../shared/analyzer-result';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { AsyncPollRequest, pollAsyncBatch, SageMakerAsyncDeps, startAsyncBatch } from '../../steps/analyzers/sagemaker-async';
import { InvalidStepInputError } from '../../steps/workflow-input';

export type AsyncEvent = ({ readonly action: 'start' } & AnalyzerInvocation) | ({ readonly action: 'poll' } & AsyncPollRequest);

export function handleSageMakerAsync(deps: SageMakerAsyncDeps) {
  return async (event: AsyncEvent): Promise<AsyncBatchProgress> => {
    const progress = event?.action === 'start' ? await startAsyncBatch(deps, event)
      : event?.action === 'poll' ? await pollAsyncBatch(deps, event)
        : undefined;
    if (progress === undefined) throw new InvalidStepInputError("action must be 'start' or 'poll'");
    deps.log.info(progress.done ? 'Async batch finished' : 'Async batch pending', {
      analyzerName: progress.pending?.analyzerName ?? progress.result?.analyzerName,
      imageCount: progress.pending?.requests.length ?? progress.result?.imageCount,
      status: progress.result?.status,
      errorCode: progress.result?.errorCode,
      findingCount: progress.result?.findings.length,
    });
    return progress;
  };
}

const wired = lazy(() => {
  const settings = readSageMakerSettings(process.env[EnvVar.ANALYZER_SETTINGS]);
  if (settings.async === undefined) throw new InvalidAnalyzerSettingsError('has no async settings');
  return handleSageMakerAsync({
    s3: clients.s3Client(),
    sageMaker: clients.sageMakerRuntimeClient(),
    settings: { ...settings, async: settings.async },
    log: createSafeLog('sagemaker-async-analyzer'),
  });
});

export const handler = (event: AsyncEvent): Promise<AsyncBatchProgress> => wired()(event);
