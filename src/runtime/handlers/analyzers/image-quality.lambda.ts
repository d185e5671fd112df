/** Built-in analyzer Lambda (`Analyzer.imageQuality()`): AnalyzerInvocation -> AnalyzerResult. */
import { AnalyzerInvocation, AnalyzerResult } from '../../../shared/analyzer-result';
import * as clients from '../../lambda/clients';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { analyzeImageQuality } from '../../steps/image-quality';

export function handleImageQuality(deps: Parameters<typeof analyzeImageQuality>[0] & { readonly log: SafeLog }) {
  return async (invocation: AnalyzerInvocation): Promise<AnalyzerResult> => {
    const result = await analyzeImageQuality(deps, invocation);
    deps.log.info('Image quality assessed', {
      studyKey: invocation.study.studyKey,
      version: invocation.study.version,
      batchIndex: invocation.batch.index,
      imageCount: invocation.batch.images.length,
      findingCount: result.findings.length,
      durationMs: result.durationMs,
    });
    return result;
  };
}

const wired = lazy(() => handleImageQuality({ s3: clients.s3Client(), log: createSafeLog('image-quality') }));

export const handler = (invocation: AnalyzerInvocation): Promise<AnalyzerResult> => wired()(invocation);
