/** Built-in analyzer Lambda (`Analyzer.bedrock()`): AnalyzerInvocation -> AnalyzerResult. */
import { readBedrockSettings } from '../../../core/service-answers/settings';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { createSafeLog } from '../../lambda/logger';
import { batchHandler, lazyEntryPoint } from '../../steps/analyzers/batch-handler';
import { analyzeWithBedrock, BedrockDeps } from '../../steps/analyzers/bedrock';

export function handleBedrock(deps: Omit<BedrockDeps, 'deadline'>) {
  return batchHandler(deps.log, (invocation, deadline) => analyzeWithBedrock({ ...deps, deadline }, invocation));
}

export const handler = lazyEntryPoint(() => handleBedrock({
  s3: clients.s3Client(),
  bedrock: clients.bedrockRuntimeClient(),
  settings: readBedrockSettings(process.env[EnvVar.ANALYZER_SETTINGS]),
  log: createSafeLog('bedrock-analyzer'),
}));
