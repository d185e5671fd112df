/** Workflow step "Plan <analyzer>": AnalysisPlanRequest -> AnalysisPlan (`$.plan`). */
import { AnalysisPlan, AnalysisPlanRequest } from '../../../shared/workflow';
import * as clients from '../../lambda/clients';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { planAnalysis, PlanAnalysisDeps } from '../../steps/plan-analysis';

export function handlePlanAnalysis(deps: PlanAnalysisDeps & { readonly log: SafeLog }) {
  return async (request: AnalysisPlanRequest): Promise<AnalysisPlan> => {
    const plan = await planAnalysis(deps, request);
    deps.log.info('Analysis planned', {
      studyKey: request.study.studyKey,
      version: request.study.version,
      analyzerName: request.analyzerName,
      imageCount: plan.imageCount,
      batchCount: plan.batchCount,
      mode: plan.mode,
      skipReason: plan.skipReason,
    });
    return plan;
  };
}

const wired = lazy(() => handlePlanAnalysis({ s3: clients.s3Client(), log: createSafeLog('plan-analysis') }));

export const handler = (request: AnalysisPlanRequest): Promise<AnalysisPlan> => wired()(request);
