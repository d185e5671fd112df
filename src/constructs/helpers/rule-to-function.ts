import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantKeyViaService, KeyUse } from './grants';
import { allowRuleToSendToQueue } from './queue-target';

export interface RuleToFunctionProps {
  /** A library function created with `FunctionInvocation.EVENT_RULE`. */
  readonly fn: lambda.Function;
  readonly rule: events.RuleProps;
  /** Encrypts the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** What the events are, for the queue's acknowledgement ("the status-change events"). */
  readonly events: string;
}

export interface RuleToFunction {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * A rule that invokes a function, with one encrypted dead-letter queue for both
 * ways its event can be lost: EventBridge could not deliver it (the target's
 * DLQ), or the function failed it through Lambda's asynchronous retries (the
 * function's DLQ; an EventBridge target DLQ never sees those).
 */
export function routeRuleToFunction(scope: Construct, id: string, props: RuleToFunctionProps): RuleToFunction {
  const deadLetterQueue = new sqs.Queue(scope, `${id}DeadLetterQueue`, {
    encryptionMasterKey: props.encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue: the rule below and its function send ${props.events} they could not deliver or process here (cdk-nag recognises only SQS redrive as DLQ use).`,
  });
  const rule = new events.Rule(scope, `${id}Rule`, {
    ...props.rule,
    targets: [new targets.LambdaFunction(props.fn, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue })],
  });
  // aws-cdk-lib's DLQ policy names the rule; the key use for it is ours to condition the same way.
  allowRuleToSendToQueue(rule, deadLetterQueue);
  useAsFunctionDeadLetterQueue(props.fn, deadLetterQueue, props.encryptionKey);
  return { rule, deadLetterQueue };
}

/** The function's `DeadLetterConfig`, and the role's rights to send there (Lambda sends as the function's role). */
function useAsFunctionDeadLetterQueue(fn: lambda.Function, queue: sqs.Queue, key: kms.IKey): void {
  (fn.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: queue.queueArn };
  iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
  grantKeyViaService(fn, key, 'sqs', KeyUse.ENCRYPT_DECRYPT);
}
