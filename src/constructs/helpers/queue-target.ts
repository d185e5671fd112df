import { Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { allowServiceToUseKey } from './pipeline-key';

/**
 * An EventBridge rule target for an encrypted queue in this account that only
 * this one rule may send to. Replaces `targets.SqsQueue`, which (for an
 * encrypted queue) grants `events.amazonaws.com` SendMessage on the queue and
 * Encrypt/Decrypt on the key with, at most, an account condition: any rule of
 * the account could then forge messages into the queue.
 */
export class RuleOnlyQueueTarget implements events.IRuleTarget {
  constructor(private readonly queue: sqs.Queue) {}

  bind(rule: events.IRule): events.RuleTargetConfig {
    allowRuleToSendToQueue(rule, this.queue);
    return { arn: this.queue.queueArn, targetResource: this.queue };
  }
}

/**
 * Lets one rule deliver to a queue (its target or its target's dead-letter
 * queue): SendMessage in the queue policy and the key use for its encryption,
 * both conditioned on this account and the rule's ARN.
 */
export function allowRuleToSendToQueue(rule: events.IRule, queue: sqs.Queue): void {
  const stack = Stack.of(queue);
  const ruleArn = literalRuleArn(rule);
  queue.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sqs:SendMessage'],
    resources: [queue.queueArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnEquals: { 'aws:SourceArn': ruleArn },
    },
  }));
  if (queue.encryptionMasterKey) {
    const sid = `AllowRule${stack.resolve(stack.getLogicalId(rule.node.defaultChild as events.CfnRule))}ToEncryptFor${queue.node.id}`;
    allowServiceToUseKey(queue.encryptionMasterKey, 'events.amazonaws.com', sid, ruleArn);
  }
}

/**
 * The rule's ARN as a literal built from its name, naming the rule (unique in
 * the stack) if it has none: a key policy cannot reference the rule itself, since
 * the rule's targets already depend on resources encrypted with the key.
 */
function literalRuleArn(rule: events.IRule): string {
  const cfn = rule.node.defaultChild as events.CfnRule;
  if (!(cfn instanceof events.CfnRule)) throw new Error(`allowRuleToSendToQueue: ${rule.node.path} is not a rule of this app`);
  const stack = Stack.of(rule);
  if (stack.resolve(cfn.name) === undefined) cfn.name = Names.uniqueResourceName(rule, { maxLength: 64, separator: '-' });
  if (Token.isUnresolved(cfn.name)) throw new Error(`allowRuleToSendToQueue: ${rule.node.path} needs a literal rule name`);
  // A rule on a custom bus is `rule/<bus>/<rule>`. The bus's name may be a token the key
  // policy cannot reference (the bus is encrypted with the key): then any bus of this account.
  const busName: unknown = stack.resolve(cfn.eventBusName);
  if (busName === undefined || busName === 'default') {
    return stack.formatArn({ service: 'events', resource: 'rule', resourceName: cfn.name });
  }
  const bus = typeof busName === 'string' && !Token.isUnresolved(cfn.eventBusName) ? busName : '*';
  return stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${bus}/${cfn.name}` });
}
