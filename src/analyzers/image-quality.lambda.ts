/** Built-in analyzer Lambda (`Analyzer.imageQuality()`): AnalyzerInvocation -> AnalyzerResult. */
import * as clients from '../runtime/clients';
import { lazy } from '../runtime/lazy';
import { createSafeLog, SafeLog } from '../runtime/logger';
import { AnalyzerInvocation, AnalyzerResult } from '../shared/analyzer-result';
import { analyzeImageQuality } from '../steps/image-quality';

export function handleImageQuality(deps: Parameters<typeof analyzeImageQuality>[0] & { readonly log: SafeLog }) {
  return async (invocation: AnalyzerInvocation): Promise<AnalyzerResult> => {
    const result = await analyzeImageQuality(deps, invocation);
    deps.log.info('Image quality assessed', {
      studyKey: invocation.study.studyKey,
      version: invocation.study.version,
      imageCount: invocation.study.images.length,
      findingCount: result.findings.length,
      durationMs: result.durationMs,
    });
    return result;
  };
}

const wired = lazy(() => handleImageQuality({ s3: clients.s3Client(), log: createSafeLog('image-quality') }));

export const handler = (invocation: AnalyzerInvocation): Promise<AnalyzerResult> => wired()(invocation);
