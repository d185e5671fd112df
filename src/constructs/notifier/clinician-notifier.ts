import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NotificationSubscription } from './notification-subscription';
import { parseStudyLinkTemplate } from '../../core/notifications/study-link';
import { EnvVar } from '../../shared/env';
import { grantKeyViaService, KeyUse } from '../helpers/grants';
import { allowServiceToUseKey, createPipelineKey } from '../helpers/pipeline-key';
import { assertNotBoth } from '../helpers/validate-props';

export interface ClinicianNotifierProps {
  /**
   * Key for the topic (and the event bus this construct creates).
   * @default - a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Publish pipeline events to this bus instead of creating one.
   * @default - a new event bus, encrypted with `encryptionKey`
   */
  readonly existingEventBus?: events.IEventBus;
  /**
   * Name of the event bus this construct creates. Not allowed with `existingEventBus`.
   * @default - generated
   */
  readonly eventBusName?: string;
  /**
   * Notify people through this topic instead of creating one. Its owner must
   * enforce TLS and encryption; grants include its key when `ITopic.masterKey` is set.
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly existingTopic?: sns.ITopic;
  /**
   * Display name of the topic this construct creates (the e-mail sender name).
   * Not allowed with `existingTopic`.
   * @default 'Medical imaging pipeline'
   */
  readonly topicDisplayName?: string;
  /**
   * E-mail addresses subscribed to the topic (each must confirm).
   * @default - none
   */
  readonly emailAddresses?: string[];
  /**
   * Phone numbers (E.164) subscribed for SMS.
   * @default - none
   */
  readonly smsNumbers?: string[];
  /**
   * HTTPS endpoints subscribed to the topic (plain HTTP is refused).
   * @default - none
   */
  readonly httpsEndpoints?: string[];
  /**
   * Subscribers of any kind (e-mail, SMS, HTTPS, SQS, Lambda), each with an optional filter on
   * priority and event type, e.g. `NotificationSubscription.sms('+15555550100', { priorities: [StudyPriority.STAT] })`.
   * @default - none
   */
  readonly subscriptions?: NotificationSubscription[];
  /**
   * Link to a study put into every notification, e.g. `https://viewer.example.org/studies/{studyKey}`.
   * Placeholders: `{studyKey}` (the pseudonymous key, required) and `{version}`; https:// only.
   * @default - no link
   */
  readonly studyLinkTemplate?: string;
}

/**
 * How the pipeline tells the world what happened: an EventBridge bus for
 * machines and an SNS topic for people. Payloads carry pseudonymous ids only.
 */
export class ClinicianNotifier extends Construct {
  public readonly eventBus: events.IEventBus;
  public readonly topic: sns.ITopic;
  /** Key of the created topic and bus (also given to the topic's publishers). */
  public readonly encryptionKey: kms.IKey;
  /** The link template notifications carry (see `ClinicianNotifierProps.studyLinkTemplate`). */
  public readonly studyLinkTemplate?: string;
  private deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: ClinicianNotifierProps = {}) {
    super(scope, id);
    assertNotBoth('ClinicianNotifier', ['existingEventBus', props.existingEventBus], ['eventBusName', props.eventBusName]);
    assertNotBoth('ClinicianNotifier', ['existingTopic', props.existingTopic], ['topicDisplayName', props.topicDisplayName]);
    for (const url of props.httpsEndpoints ?? []) {
      if (!Token.isUnresolved(url) && !url.startsWith('https://')) {
        throw new Error(`ClinicianNotifier: httpsEndpoints must use https:// (got '${url}'); notifications must not travel unencrypted.`);
      }
    }
    if (props.studyLinkTemplate !== undefined) parseStudyLinkTemplate(props.studyLinkTemplate);
    this.studyLinkTemplate = props.studyLinkTemplate;

    this.encryptionKey = props.encryptionKey ?? createPipelineKey(this, 'Key', 'Medical imaging clinician notifications');
    this.eventBus = props.existingEventBus ?? new events.EventBus(this, 'EventBus', {
      eventBusName: props.eventBusName,
      kmsKey: this.encryptionKey,
    });
    this.topic = props.existingTopic ?? this.createTopic(props.topicDisplayName);

    for (const address of props.emailAddresses ?? []) this.subscribe(NotificationSubscription.email(address));
    for (const phone of props.smsNumbers ?? []) this.subscribe(NotificationSubscription.sms(phone));
    for (const url of props.httpsEndpoints ?? []) this.subscribe(NotificationSubscription.https(url));
    for (const subscription of props.subscriptions ?? []) this.subscribe(subscription);
  }

  /**
   * Where SNS puts the messages it could not deliver to a subscriber (KMS-encrypted, TLS-only, 14 days).
   * Created with the first `subscribe` (or when first read).
   */
  public get deliveryDeadLetterQueue(): sqs.Queue {
    this.deadLetterQueue ??= this.createDeadLetterQueue();
    return this.deadLetterQueue;
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeliveryDeadLetterQueue', {
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: SNS subscriptions redrive the messages they could not deliver here '
        + '(cdk-nag recognises only SQS redrive as DLQ use).',
    });
    // SNS writes undeliverable messages into the encrypted queue through the key. The topic
    // is encrypted with the same key, so the key policy cannot name it: this account's topics.
    const thisAccountsTopics = Stack.of(this).formatArn({ service: 'sns', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME });
    allowServiceToUseKey(this.encryptionKey, 'sns.amazonaws.com', 'AllowSnsToSendToEncryptedQueues', thisAccountsTopics);
    return queue;
  }

  /** Subscribes a `NotificationSubscription` with its filter policy; failed deliveries go to `deliveryDeadLetterQueue`. */
  public subscribe(subscription: NotificationSubscription): sns.Subscription {
    return this.addSubscription(subscription.toTopicSubscription(this.deliveryDeadLetterQueue));
  }

  /** Environment of a function that publishes notifications: the topic, and the study link template when set. */
  public messageEnvironment(): Record<string, string> {
    return {
      [EnvVar.TOPIC_ARN]: this.topic.topicArn,
      ...(this.studyLinkTemplate === undefined ? {} : { [EnvVar.STUDY_LINK_TEMPLATE]: this.studyLinkTemplate }),
    };
  }

  private createTopic(displayName?: string): sns.Topic {
    const topic = new sns.Topic(this, 'Topic', {
      displayName: displayName ?? 'Medical imaging pipeline',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // CloudWatch alarms publish to the encrypted topic through the service.
    const stack = Stack.of(this);
    allowServiceToUseKey(this.encryptionKey, 'cloudwatch.amazonaws.com', 'AllowCloudWatchAlarmsToPublishEncrypted',
      stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    return topic;
  }

  /** Subscribes anything SNS supports as given (no filter policy or dead-letter queue is added: prefer `subscribe`). */
  public addSubscription(subscription: sns.ITopicSubscription): sns.Subscription {
    return this.topic.addSubscription(subscription);
  }

  /** events:PutEvents on this bus only. */
  public grantPutEvents(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['events:PutEvents'], resourceArns: [this.eventBus.eventBusArn] });
  }

  /** sns:Publish on this topic, plus the topic key through SNS. */
  public grantTopicPublish(grantee: iam.IGrantable): iam.Grant {
    grantKeyViaService(grantee, this.topic.masterKey, 'sns', KeyUse.ENCRYPT_DECRYPT);
    return iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
  }

  /** Both: events on the bus and messages on the topic. */
  public grantPublish(grantee: iam.IGrantable): void {
    this.grantPutEvents(grantee);
    this.grantTopicPublish(grantee);
  }
}
