import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ANALYZER_CONTRACT_VERSION, AnalyzerStatus } from '../../shared/analyzer-result';
import { AnalyzerBinding } from '../analyzers/image-analyzer';

/**
 * One branch of "Run analyzers": the analyzer's states, any error of which
 * becomes a FAILED result so the study carries on with the other analyzers.
 */
export function analyzerBranch(scope: Construct, binding: AnalyzerBinding, index: number): sfn.IChainable {
  const failedResult = new sfn.Pass(scope, `Analyzer${index}Failed`, {
    stateName: `${binding.analyzerName} failed`,
    result: sfn.Result.fromObject({
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      analyzerName: binding.analyzerName,
      modelId: binding.modelId ?? 'unknown',
      modelVersion: binding.modelVersion ?? 'unknown',
      status: AnalyzerStatus.FAILED,
      findings: [],
      durationMs: 0,
      errorCode: 'ANALYZER_ERROR',
    }),
  });
  const catchProps: sfn.CatchProps = { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD };
  const single = singleCatchableState(binding.task);
  if (single) {
    single.addCatch(failedResult, catchProps);
    return binding.task;
  }
  // A multi-state analyzer: a one-branch Parallel gives the chain one catch.
  const wrapper = new sfn.Parallel(scope, `Analyzer${index}Run`, {
    stateName: `Run ${binding.analyzerName}`,
    outputPath: '$[0]',
  });
  wrapper.branch(binding.task);
  wrapper.addCatch(failedResult, catchProps);
  return wrapper;
}

type Catchable = sfn.TaskStateBase | sfn.Parallel | sfn.Map | sfn.DistributedMap;

/** The chain's only state, when it is one that can carry a Catch. */
function singleCatchableState(chain: sfn.IChainable): Catchable | undefined {
  const start = chain.startState;
  const single = chain.endStates.length === 1 && (chain.endStates[0] as unknown) === start;
  if (!single) return undefined;
  if (start instanceof sfn.TaskStateBase || start instanceof sfn.Parallel || start instanceof sfn.Map || start instanceof sfn.DistributedMap) {
    return start;
  }
  return undefined;
}
