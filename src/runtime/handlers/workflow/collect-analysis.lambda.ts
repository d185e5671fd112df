/** Workflow step "Collect <analyzer>": batch records -> one study result in S3 -> AnalyzerOutcome. */
import { EnvVar } from '../../../shared/env';
import { AnalyzerOutcome, CollectAnalysisRequest } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { collectAnalysis, CollectAnalysisDeps } from '../../steps/collect-analysis';

export function handleCollectAnalysis(deps: CollectAnalysisDeps & { readonly log: SafeLog }) {
  return async (request: CollectAnalysisRequest): Promise<AnalyzerOutcome> => {
    const outcome = await collectAnalysis(deps, request);
    deps.log.info('Analysis collected', {
      studyKey: request.study.studyKey,
      version: request.study.version,
      analyzerName: outcome.analyzerName,
      status: outcome.status,
      imageCount: outcome.imageCount,
      findingCount: outcome.findingCount,
      errorCode: outcome.errorCode,
    });
    return outcome;
  };
}

const wired = lazy(() => handleCollectAnalysis({
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('collect-analysis'),
}));

export const handler = (request: CollectAnalysisRequest): Promise<AnalyzerOutcome> => wired()(request);
