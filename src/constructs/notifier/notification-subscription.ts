import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DetailType } from '../../shared/events';
import { StudyPriority } from '../../shared/finding-rules';

/**
 * Which notifications a subscription receives, matched on the SNS message attributes
 * `priority` and `eventType` every pipeline message carries.
 */
export interface NotificationFilter {
  /**
   * Deliver only messages about studies of these priorities, e.g. `[StudyPriority.STAT]`.
   * A `Study Failed` message has a priority only when the study failed after its findings were triaged;
   * a priority filter leaves out the others.
   * @default - every priority (and messages without one)
   */
  readonly priorities?: StudyPriority[];
  /**
   * Deliver only these events (`PipelineEvents` constants), e.g. `[PipelineEvents.REVIEW_REQUIRED]`.
   * @default - every event
   */
  readonly eventTypes?: string[];
}

/** Where a subscription delivers. */
export enum NotificationProtocol {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  HTTPS = 'HTTPS',
  SQS = 'SQS',
  LAMBDA = 'LAMBDA',
}

const KNOWN_EVENT_TYPES: readonly string[] = Object.values(DetailType);

/**
 * One subscriber of the pipeline's notification topic (e-mail, SMS, HTTPS, SQS or Lambda),
 * optionally filtered by priority and event type. Deliveries that fail go to the notifier's dead-letter queue.
 */
export class NotificationSubscription {
  /** E-mail (the address must confirm the subscription). */
  public static email(address: string, filter?: NotificationFilter): NotificationSubscription {
    return new NotificationSubscription(NotificationProtocol.EMAIL, filter, { endpoint: address });
  }

  /** SMS to a phone number in E.164 form, e.g. `+15555550100`. */
  public static sms(phoneNumber: string, filter?: NotificationFilter): NotificationSubscription {
    if (!Token.isUnresolved(phoneNumber) && !/^\+[1-9][0-9]{6,14}$/.test(phoneNumber)) {
      throw new Error(`NotificationSubscription.sms: '${phoneNumber}' is not an E.164 phone number (+ and 7 to 15 digits).`);
    }
    return new NotificationSubscription(NotificationProtocol.SMS, filter, { endpoint: phoneNumber });
  }

  /** An HTTPS endpoint (plain HTTP is refused: notifications must not travel unencrypted). */
  public static https(url: string, filter?: NotificationFilter): NotificationSubscription {
    if (!Token.isUnresolved(url) && !url.startsWith('https://')) {
      throw new Error(`NotificationSubscription.https: the URL must use https:// (got '${url}'); notifications must not travel unencrypted.`);
    }
    return new NotificationSubscription(NotificationProtocol.HTTPS, filter, { endpoint: url });
  }

  /**
   * An SQS queue. A KMS-encrypted queue's key is opened to SNS for this topic.
   * The message attributes are inside the SNS envelope of each message.
   */
  public static sqsQueue(queue: sqs.IQueue, filter?: NotificationFilter): NotificationSubscription {
    return new NotificationSubscription(NotificationProtocol.SQS, filter, { queue });
  }

  /** A Lambda function (invoked asynchronously by SNS). */
  public static lambdaFunction(fn: lambda.IFunction, filter?: NotificationFilter): NotificationSubscription {
    return new NotificationSubscription(NotificationProtocol.LAMBDA, filter, { fn });
  }

  /** Where this subscription delivers. */
  public readonly protocol: NotificationProtocol;
  /** Which messages it receives. */
  public readonly filter?: NotificationFilter;
  private readonly target: { readonly endpoint?: string; readonly queue?: sqs.IQueue; readonly fn?: lambda.IFunction };

  private constructor(
    protocol: NotificationProtocol,
    filter: NotificationFilter | undefined,
    target: { readonly endpoint?: string; readonly queue?: sqs.IQueue; readonly fn?: lambda.IFunction },
  ) {
    for (const eventType of filter?.eventTypes ?? []) {
      if (!KNOWN_EVENT_TYPES.includes(eventType)) {
        throw new Error(`NotificationSubscription: unknown event type '${eventType}' (use a PipelineEvents constant: ${KNOWN_EVENT_TYPES.join(', ')}).`);
      }
    }
    this.protocol = protocol;
    this.filter = filter;
    this.target = target;
  }

  /** The SNS subscription, with its filter policy and `deadLetterQueue` for failed deliveries. */
  public toTopicSubscription(deadLetterQueue: sqs.IQueue): sns.ITopicSubscription {
    const options = { filterPolicy: filterPolicyOf(this.filter), deadLetterQueue };
    switch (this.protocol) {
      case NotificationProtocol.EMAIL:
        return new subscriptions.EmailSubscription(this.target.endpoint!, options);
      case NotificationProtocol.SMS:
        // SmsSubscription drops `deadLetterQueue`; SNS itself takes a redrive policy on SMS subscriptions too.
        return smsSubscription(this.target.endpoint!, options);
      case NotificationProtocol.HTTPS:
        return new subscriptions.UrlSubscription(this.target.endpoint!, { ...options, protocol: sns.SubscriptionProtocol.HTTPS });
      case NotificationProtocol.SQS:
        return new subscriptions.SqsSubscription(this.target.queue!, options);
      case NotificationProtocol.LAMBDA:
        return new subscriptions.LambdaSubscription(this.target.fn!, options);
      default:
        throw new Error(`NotificationSubscription: unknown protocol '${String(this.protocol)}'`);
    }
  }
}

/** SNS filter policy on the `priority` and `eventType` message attributes (undefined: deliver everything). */
function filterPolicyOf(filter: NotificationFilter | undefined): Record<string, sns.SubscriptionFilter> | undefined {
  const policy: Record<string, sns.SubscriptionFilter> = {};
  if (filter?.priorities !== undefined && filter.priorities.length > 0) {
    policy.priority = sns.SubscriptionFilter.stringFilter({ allowlist: [...new Set(filter.priorities)] });
  }
  if (filter?.eventTypes !== undefined && filter.eventTypes.length > 0) {
    policy.eventType = sns.SubscriptionFilter.stringFilter({ allowlist: [...new Set(filter.eventTypes)] });
  }
  return Object.keys(policy).length === 0 ? undefined : policy;
}

function smsSubscription(
  phoneNumber: string,
  options: { readonly filterPolicy?: Record<string, sns.SubscriptionFilter>; readonly deadLetterQueue: sqs.IQueue },
): sns.ITopicSubscription {
  return {
    bind: () => ({
      subscriberId: phoneNumber,
      endpoint: phoneNumber,
      protocol: sns.SubscriptionProtocol.SMS,
      filterPolicy: options.filterPolicy,
      deadLetterQueue: options.deadLetterQueue,
    }),
  };
}
