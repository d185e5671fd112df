/** Built-in analyzer Lambda (`Analyzer.rekognition()`): AnalyzerInvocation -> AnalyzerResult. */
import { readRekognitionSettings } from '../../../core/service-answers/settings';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { createSafeLog } from '../../lambda/logger';
import { batchHandler, lazyEntryPoint } from '../../steps/analyzers/batch-handler';
import { analyzeWithRekognition, RekognitionDeps } from '../../steps/analyzers/rekognition';

export function handleRekognition(deps: Omit<RekognitionDeps, 'deadline'>) {
  return batchHandler(deps.log, (invocation, deadline) => analyzeWithRekognition({ ...deps, deadline }, invocation));
}

export const handler = lazyEntryPoint(() => handleRekognition({
  s3: clients.s3Client(),
  rekognition: clients.rekognitionClient(),
  settings: readRekognitionSettings(process.env[EnvVar.ANALYZER_SETTINGS]),
  log: createSafeLog('rekognition-analyzer'),
}));
