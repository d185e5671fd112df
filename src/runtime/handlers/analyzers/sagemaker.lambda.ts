/** Built-in analyzer Lambda (`Analyzer.sageMakerEndpoint()`, real-time endpoint): AnalyzerInvocation -> AnalyzerResult. */
import { readSageMakerSettings } from '../../../core/service-answers/settings';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { createSafeLog } from '../../lambda/logger';
import { batchHandler, lazyEntryPoint } from '../../steps/analyzers/batch-handler';
import { analyzeWithSageMaker, SageMakerDeps } from '../../steps/analyzers/sagemaker';

export function handleSageMaker(deps: Omit<SageMakerDeps, 'deadline'>) {
  return batchHandler(deps.log, (invocation, deadline) => analyzeWithSageMaker({ ...deps, deadline }, invocation));
}

export const handler = lazyEntryPoint(() => handleSageMaker({
  s3: clients.s3Client(),
  sageMaker: clients.sageMakerRuntimeClient(),
  settings: readSageMakerSettings(process.env[EnvVar.ANALYZER_SETTINGS]),
  log: createSafeLog('sagemaker-analyzer'),
}));
