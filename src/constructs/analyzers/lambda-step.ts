import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Transient Lambda service errors worth retrying; function errors are not. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

/**
 * How a Lambda task retries service errors: exponential backoff with full
 * jitter, so many executions retrying at once do not stampede the function.
 */
export const LAMBDA_SERVICE_RETRY: sfn.RetryProps = {
  errors: LAMBDA_SERVICE_ERRORS,
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * The function version a Lambda task names: `$LATEST`, which is what an
 * unqualified invocation runs. LambdaInvoke grants `lambda:InvokeFunction` on
 * what it names; for a function that is the function plus `<function ARN>:*`
 * (every version and alias), for `$LATEST` that one ARN.
 */
export function taskTarget(fn: lambda.IFunction): lambda.IVersion {
  return fn.latestVersion;
}

export interface LambdaStepProps {
  readonly fn: lambda.IFunction;
  readonly stateName: string;
  /** @default - the whole state input (no `Parameters`, valid ASL with payloadResponseOnly) */
  readonly payload?: sfn.TaskInput;
  /** @default '$' (the result replaces the state) */
  readonly resultPath?: string;
  /** @default - bounded by the function's own timeout */
  readonly taskTimeout?: Duration;
}

/**
 * A LambdaInvoke state that outputs the function's return value as is
 * (`payloadResponseOnly`, which local engines run natively) and retries
 * throttling and service errors with exponential backoff and full jitter, so
 * many executions retrying at once do not stampede the function.
 */
export function lambdaStep(scope: Construct, id: string, props: LambdaStepProps): tasks.LambdaInvoke {
  const step = new tasks.LambdaInvoke(scope, id, {
    stateName: props.stateName,
    lambdaFunction: taskTarget(props.fn),
    payload: props.payload,
    payloadResponseOnly: true,
    // Replaced by the retry below, which also covers throttling and adds jitter.
    retryOnServiceExceptions: false,
    resultPath: props.resultPath,
    taskTimeout: props.taskTimeout ? sfn.Timeout.duration(props.taskTimeout) : undefined,
  });
  step.addRetry(LAMBDA_SERVICE_RETRY);
  return step;
}
