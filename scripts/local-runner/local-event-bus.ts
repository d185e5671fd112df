/**
 * EventBridge, locally: the template's pattern rules, S3 "Object Created" /
 * "Object Deleted" events from the buckets that enable EventBridge, PutEvents,
 * and delivery of matched events to queue and function targets. Every event
 * is recorded with the rules it matched.
 */
import * as crypto from 'crypto';
import type { PutEventsEntry } from './aws-stand-ins';
import { BusEvent, matchesPattern } from './delivery';
import type { S3NotificationEvent } from './engines';
import { CfnTemplate, LOCAL_ACCOUNT, LOCAL_REGION, LocalNames, resourcesOfType } from './template';

export interface RecordedEvent {
  readonly at: number;
  readonly busName: string;
  readonly event: BusEvent;
  /** Logical ids of the rules that matched. */
  readonly matchedRules: string[];
}

export interface LocalEventBusOptions {
  readonly template: CfnTemplate;
  readonly names: LocalNames;
  readonly sendToQueue: (queueLogicalId: string, body: string) => void;
  readonly invokeFunction: (logicalId: string, event: BusEvent) => Promise<unknown>;
  /** How many times a matched event reaches a queue target (more than one: at-least-once duplicates). */
  readonly queueCopies: number;
}

interface Rule {
  readonly id: string;
  readonly busName: string;
  readonly pattern: unknown;
  readonly targets: string[];
}

export class LocalEventBus {
  public readonly events: RecordedEvent[] = [];
  private readonly rules: Rule[] = [];
  private readonly eventBridgeBuckets = new Set<string>();

  constructor(private readonly options: LocalEventBusOptions) {
    const { template, names } = options;
    for (const [id, bucket] of resourcesOfType(template, 'AWS::S3::Bucket')) {
      type BucketNotification = { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } } | undefined;
      const notification = bucket.Properties?.NotificationConfiguration as BucketNotification;
      if (notification?.EventBridgeConfiguration?.EventBridgeEnabled === true) this.eventBridgeBuckets.add(names.ref(id));
    }
    for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
      type RuleProps = { EventPattern?: unknown; EventBusName?: string; State?: string; Targets?: Array<{ Arn: string }> };
      const p = names.resolve(rule.Properties) as RuleProps;
      if (p.EventPattern === undefined || p.State === 'DISABLED') continue;
      this.rules.push({ id, busName: busNameOf(p.EventBusName), pattern: p.EventPattern, targets: (p.Targets ?? []).map((t) => t.Arn) });
    }
  }

  /** What S3 sends EventBridge for an object operation in a bucket that enables it. */
  public onS3Event(notification: S3NotificationEvent): void {
    for (const record of notification.Records) {
      const bucket = record.s3.bucket.name;
      if (!this.eventBridgeBuckets.has(bucket)) continue;
      const created = record.eventName.startsWith('ObjectCreated:');
      const { key, size, eTag, sequencer } = record.s3.object;
      this.deliver('default', {
        'version': '0',
        'id': crypto.randomUUID(),
        'detail-type': created ? 'Object Created' : 'Object Deleted',
        'source': 'aws.s3',
        'account': LOCAL_ACCOUNT,
        'time': record.eventTime,
        'region': LOCAL_REGION,
        'resources': [`arn:aws:s3:::${bucket}`],
        'detail': {
          'version': '0',
          'bucket': { name: bucket },
          'object': created ? { key, size, etag: eTag, sequencer } : { key, sequencer },
          'request-id': crypto.randomUUID(),
          'requester': LOCAL_ACCOUNT,
          'source-ip-address': '127.0.0.1',
          'reason': created ? (record.eventName.endsWith('Copy') ? 'CopyObject' : 'PutObject') : 'DeleteObject',
        },
      });
    }
  }

  /** PutEvents: one event per entry, delivered at once; returns the event ids. */
  public putEvents(entries: PutEventsEntry[]): string[] {
    return entries.map((entry) => {
      const event: BusEvent = {
        'version': '0',
        'id': crypto.randomUUID(),
        'detail-type': entry.DetailType ?? '',
        'source': entry.Source ?? '',
        'account': LOCAL_ACCOUNT,
        'time': new Date().toISOString(),
        'region': LOCAL_REGION,
        'resources': entry.Resources ?? [],
        'detail': JSON.parse(entry.Detail ?? '{}'),
      };
      this.deliver(busNameOf(entry.EventBusName), event);
      return event.id;
    });
  }

  private deliver(busName: string, event: BusEvent): void {
    const { names } = this.options;
    const matched = this.rules.filter((r) => r.busName === busName && matchesPattern(r.pattern, event));
    this.events.push({ at: Date.now(), busName, event, matchedRules: matched.map((r) => r.id) });
    for (const rule of matched) {
      for (const target of rule.targets) {
        const queueId = names.logicalIdOf(target, 'AWS::SQS::Queue');
        if (queueId !== undefined) {
          for (let i = 0; i < this.options.queueCopies; i++) this.options.sendToQueue(queueId, JSON.stringify(event));
          continue;
        }
        const fn = names.logicalIdOf(target, 'AWS::Lambda::Function');
        if (fn !== undefined) void this.options.invokeFunction(fn, event).catch(() => undefined);
      }
    }
  }
}

/** A bus name or ARN -> the bus name (`default` when absent). */
function busNameOf(nameOrArn: string | undefined): string {
  return (nameOrArn ?? 'default').split('/').pop()!;
}
