import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EnvVar } from '../../shared/env';
import { FunctionInvocation } from '../helpers/function-acknowledgements';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createHandlerFunction } from '../helpers/handler-function';
import { routeRuleToFunction } from '../helpers/rule-to-function';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

export interface ExecutionWatchProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly resultsStore: ResultsStore;
  readonly notifier: ClinicianNotifier;
  readonly encryptionKey: kms.IKey;
  readonly functionOptions?: PipelineFunctionOptions;
}

export interface ExecutionWatch {
  readonly rule: events.Rule;
  readonly fn: lambda.Function;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * Executions that end without reaching "Mark failed" (a data limit, the
 * execution timeout, an abort, a runtime error outside any Catch) still leave
 * their study FAILED: a rule on the state machine's status changes invokes a
 * function that marks it, unless the failure path already did.
 */
export function watchExecutions(scope: Construct, props: ExecutionWatchProps): ExecutionWatch {
  const store = props.resultsStore;
  const fn = createHandlerFunction(scope, 'ExecutionEndedFunction', {
    bundle: 'workflow/execution-ended.lambda',
    description: 'Marks a study FAILED when its analysis execution failed, timed out or was aborted outside the failure path',
    encryptionKey: props.encryptionKey,
    environment: {
      [EnvVar.TABLE_NAME]: store.table.tableName,
      [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
      ...props.notifier.messageEnvironment(),
    },
    defaultReservedConcurrency: 2,
    invocation: FunctionInvocation.EVENT_RULE,
    options: props.functionOptions,
  });
  store.grantReadData(fn);
  store.grantWriteData(fn);
  props.notifier.grantPublish(fn);

  const { rule, deadLetterQueue } = routeRuleToFunction(scope, 'ExecutionEnded', {
    fn,
    encryptionKey: props.encryptionKey,
    events: 'the status-change events',
    rule: {
      description: 'Analysis executions that failed, timed out or were aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
    },
  });
  return { rule, fn, deadLetterQueue };
}
