/**
 * Outbound notifications: EventBridge events for machines, SNS messages for people.
 * Callers pass PHI-free details only (pseudonymous keys, counts, codes).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { renderStudyLink } from '../../core/notifications/study-link';
import { DetailTypeValue, EVENT_SOURCE, PipelineEvents } from '../../shared/events';

export type EventDetail = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface EventPublisher {
  readonly client: EventBridgeClient;
  readonly busName: string;
}

export class EventPublishError extends Error {
  constructor() {
    super('EventBridge rejected the event');
    this.name = 'EventPublishError';
  }
}

/** Publishes one event; its detail gets the contract's `schemaVersion` (schemas/events/). */
export async function publishEvent(publisher: EventPublisher, detailType: DetailTypeValue, detail: EventDetail): Promise<void> {
  const response = await publisher.client.send(new PutEventsCommand({
    Entries: [{
      EventBusName: publisher.busName,
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify({ schemaVersion: PipelineEvents.SCHEMA_VERSION, ...detail }),
    }],
  }));
  // PutEvents reports per-entry failures in the response instead of throwing.
  if ((response.FailedEntryCount ?? 0) > 0) {
    throw new EventPublishError();
  }
}

export interface MessagePublisher {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** The user's link to a study (`{studyKey}`, `{version}`); unset: messages carry no link. */
  readonly studyLinkTemplate?: string;
}

/** A message for people, and the attributes SNS subscriptions filter on. */
export interface PipelineMessage {
  readonly subject: string;
  readonly lines: readonly string[];
  /** The event the message announces (`eventType` attribute), e.g. `Review Required`. */
  readonly eventType: DetailTypeValue;
  /** The study's priority (`priority` attribute), when it has one. */
  readonly priority?: string;
  /** The study the message is about: with a link template, the message ends with its link. */
  readonly study?: { readonly studyKey: string; readonly version: number };
}

export async function publishMessage(publisher: MessagePublisher, message: PipelineMessage): Promise<void> {
  await publisher.client.send(new PublishCommand({
    TopicArn: publisher.topicArn,
    Subject: message.subject.slice(0, 100),
    Message: [...message.lines, ...linkLines(publisher, message)].join('\n'),
    MessageAttributes: {
      eventType: { DataType: 'String', StringValue: message.eventType },
      ...(message.priority === undefined ? {} : { priority: { DataType: 'String', StringValue: message.priority } }),
    },
  }));
}

function linkLines(publisher: MessagePublisher, message: PipelineMessage): string[] {
  if (publisher.studyLinkTemplate === undefined || message.study === undefined) return [];
  return [`Open: ${renderStudyLink(publisher.studyLinkTemplate, message.study)}`];
}
