import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { IAnalyzerBatchTask } from './image-analyzer';
import { lambdaStep } from './lambda-step';
import { ANALYZER_CONTRACT_VERSION } from '../../shared/analyzer-result';

/**
 * One Lambda invocation per batch: the function receives an
 * `AnalyzerInvocation` (`{ schemaVersion, analyzerName, study, batch }`) and
 * returns the batch's `AnalyzerResult`.
 */
export class LambdaBatchTask implements IAnalyzerBatchTask {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly analyzerName: string,
    private readonly timeout?: Duration,
  ) {}

  public createStates(scope: Construct, id: string, stateNameSuffix: string): sfn.IChainable {
    return lambdaStep(scope, `${id}Invoke`, {
      fn: this.fn,
      stateName: `Analyze ${this.analyzerName}${stateNameSuffix}`,
      payload: sfn.TaskInput.fromObject({
        schemaVersion: ANALYZER_CONTRACT_VERSION,
        analyzerName: this.analyzerName,
        study: sfn.JsonPath.objectAt('$.study'),
        batch: sfn.JsonPath.objectAt('$.batch'),
      }),
      taskTimeout: this.timeout,
    });
  }
}
