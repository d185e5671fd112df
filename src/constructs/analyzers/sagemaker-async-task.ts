import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { IAnalyzerBatchTask } from './image-analyzer';
import { lambdaStep } from './lambda-step';
import { ANALYZER_CONTRACT_VERSION } from '../../shared/analyzer-result';

/**
 * One batch on an asynchronous SageMaker endpoint: submit every image, then
 * wait (the poll says how long: 10 s doubling up to 1 minute) and poll until
 * the outputs are in S3, one has failed, or the wait is over. The start and
 * poll steps return an `AsyncBatchProgress` (core/service-answers/sagemaker-async.ts)
 * at `$.progress`; the batch's result is `$.progress.result`.
 */
export class SageMakerAsyncBatchTask implements IAnalyzerBatchTask {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly analyzerName: string,
    private readonly stepTimeout: Duration,
  ) {}

  public createStates(scope: Construct, id: string, stateNameSuffix: string): sfn.IChainable {
    const name = this.analyzerName;
    const start = lambdaStep(scope, `${id}Start`, {
      fn: this.fn,
      stateName: `Submit ${name} batch${stateNameSuffix}`,
      payload: sfn.TaskInput.fromObject({
        action: 'start',
        schemaVersion: ANALYZER_CONTRACT_VERSION,
        analyzerName: name,
        study: sfn.JsonPath.objectAt('$.study'),
        batch: sfn.JsonPath.objectAt('$.batch'),
      }),
      resultPath: '$.progress',
      taskTimeout: this.stepTimeout,
    });
    const poll = lambdaStep(scope, `${id}Poll`, {
      fn: this.fn,
      stateName: `Poll ${name} outputs${stateNameSuffix}`,
      payload: sfn.TaskInput.fromObject({ action: 'poll', progress: sfn.JsonPath.objectAt('$.progress') }),
      resultPath: '$.progress',
      taskTimeout: this.stepTimeout,
    });
    const wait = new sfn.Wait(scope, `${id}Wait`, {
      stateName: `Wait for ${name} outputs${stateNameSuffix}`,
      time: sfn.WaitTime.secondsPath('$.progress.waitSeconds'),
    });
    const result = new sfn.Pass(scope, `${id}Result`, {
      stateName: `${name} batch result${stateNameSuffix}`,
      inputPath: '$.progress.result',
    });
    const ready = new sfn.Choice(scope, `${id}Ready`, { stateName: `${name} outputs ready?${stateNameSuffix}` })
      .when(sfn.Condition.booleanEquals('$.progress.done', true), result)
      .otherwise(wait.next(poll));
    poll.next(ready);
    return start.next(ready);
  }
}
