/**
 * Delivery the way EventBridge, SQS and the Lambda event source mapping do it:
 * rules from the template match events with their own event patterns; queue
 * targets get at-least-once messages with visibility timeouts, receive counts
 * and a dead-letter queue after `maxReceiveCount`; the poller invokes the
 * function with batches and honours `batchItemFailures`.
 */
import { randomUUID } from 'crypto';

export interface BusEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': string;
  readonly 'source': string;
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': unknown;
}

// ---------------------------------------------------------------- event patterns

/**
 * EventBridge content filtering: exact values, prefix, suffix, wildcard,
 * numeric, exists, anything-but, equals-ignore-case, and $or. Anything else
 * fails loudly rather than matching silently.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error('Local runner: an event pattern must be an object');
  }
  return Object.entries(pattern as Record<string, unknown>).every(([field, rule]) => {
    if (field === '$or') {
      return (rule as unknown[]).some((alternative) => matchesPattern(alternative, event));
    }
    const value = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(rule)) {
      return matchesValueRules(rule, value);
    }
    return matchesPattern(rule, value);
  });
}

function matchesValueRules(rules: unknown[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule !== null && typeof rule === 'object') {
      const [[kind, arg]] = Object.entries(rule as Record<string, unknown>);
      if (kind === 'exists') return (value !== undefined) === arg;
      return values.some((v) => matchesOperator(kind, arg, v));
    }
    return values.some((v) => v === rule);
  });
}

function matchesOperator(kind: string, arg: unknown, value: unknown): boolean {
  switch (kind) {
    case 'prefix':
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard': {
      if (typeof value !== 'string' || typeof arg !== 'string') return false;
      const regex = new RegExp(`^${arg.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      return regex.test(value);
    }
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const ops = arg as Array<string | number>;
      for (let i = 0; i < ops.length; i += 2) {
        const limit = Number(ops[i + 1]);
        const ok = ops[i] === '<' ? value < limit : ops[i] === '<=' ? value <= limit : ops[i] === '>' ? value > limit
          : ops[i] === '>=' ? value >= limit : ops[i] === '=' ? value === limit : undefined;
        if (ok === undefined) throw new Error(`Local runner: numeric operator ${String(ops[i])} is not supported`);
        if (!ok) return false;
      }
      return true;
    }
    case 'anything-but': {
      if (Array.isArray(arg)) return !arg.includes(value);
      if (arg !== null && typeof arg === 'object') {
        const [[inner, innerArg]] = Object.entries(arg as Record<string, unknown>);
        return !matchesOperator(inner, innerArg, value);
      }
      return value !== arg;
    }
    default:
      throw new Error(`Local runner: event pattern operator '${kind}' is not supported`);
  }
}

// ---------------------------------------------------------------- queues

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  firstReceivedAt?: number;
}

export interface QueueSettings {
  readonly name: string;
  readonly arn: string;
  readonly visibilityTimeoutMs: number;
  /** Redrive: after this many receives the next receive moves the message to `deadLetterQueue`. */
  readonly maxReceiveCount?: number;
  readonly deadLetterQueue?: LocalQueue;
}

/** A standard SQS queue: at-least-once, unordered, visibility timeout, redrive. */
export class LocalQueue {
  private readonly messages = new Map<string, QueueMessage>();
  public sent = 0;
  public deleted = 0;
  public movedToDeadLetter = 0;

  constructor(readonly settings: QueueSettings, private readonly random: () => number = Math.random) {}

  public send(body: string): string {
    const messageId = randomUUID();
    this.messages.set(messageId, { messageId, body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 });
    this.sent += 1;
    return messageId;
  }

  /** Messages a receive could return now. */
  public visible(now = Date.now()): QueueMessage[] {
    return [...this.messages.values()].filter((m) => m.visibleAt <= now);
  }

  public get size(): number {
    return this.messages.size;
  }

  public all(): QueueMessage[] {
    return [...this.messages.values()];
  }

  /** ReceiveMessage: up to `max` visible messages in no particular order; redrive applies first. */
  public receive(max: number, now = Date.now()): QueueMessage[] {
    const candidates = this.visible(now);
    // Standard queues do not keep order.
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    const received: QueueMessage[] = [];
    for (const message of candidates) {
      if (received.length >= max) break;
      const { maxReceiveCount, deadLetterQueue } = this.settings;
      if (maxReceiveCount !== undefined && deadLetterQueue !== undefined && message.receiveCount >= maxReceiveCount) {
        this.messages.delete(message.messageId);
        deadLetterQueue.send(message.body);
        this.movedToDeadLetter += 1;
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.settings.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      received.push(message);
    }
    return received;
  }

  public delete(receiptHandle: string): boolean {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) {
        this.messages.delete(message.messageId);
        this.deleted += 1;
        return true;
      }
    }
    return false;
  }
}

// ---------------------------------------------------------------- event source mapping

export interface EventSourceMappingSettings {
  readonly queue: LocalQueue;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  readonly region: string;
  readonly invoke: (event: unknown) => Promise<unknown>;
  readonly onError?: (error: unknown) => void;
}

/** Polls a queue and invokes the function with batches, like Lambda's SQS poller. */
export class SqsPoller {
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  public batches = 0;
  public failedInvocations = 0;
  public reportedItemFailures = 0;

  constructor(private readonly settings: EventSourceMappingSettings) {}

  public start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.poll(), 20);
  }

  public stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  public get busy(): boolean {
    return this.inFlight > 0;
  }

  private poll(): void {
    const { queue, batchSize, batchingWindowMs, maxConcurrency } = this.settings;
    while (this.inFlight < maxConcurrency) {
      const visible = queue.visible();
      if (visible.length === 0) return;
      const oldest = Math.min(...visible.map((m) => Math.max(m.sentAt, m.visibleAt)));
      if (visible.length < batchSize && Date.now() - oldest < batchingWindowMs) return; // keep filling the batch
      const batch = queue.receive(batchSize);
      if (batch.length === 0) return;
      this.inFlight += 1;
      this.batches += 1;
      void this.deliver(batch).finally(() => {
        this.inFlight -= 1;
      });
    }
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    const { queue, region } = this.settings;
    const event = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.settings.arn,
        awsRegion: region,
      })),
    };
    let failedIds: Set<string>;
    try {
      const response = await this.settings.invoke(event) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | null;
      const failures = this.settings.reportBatchItemFailures ? response?.batchItemFailures ?? [] : [];
      failedIds = new Set(failures.map((f) => f.itemIdentifier));
      this.reportedItemFailures += failedIds.size;
    } catch (error) {
      // The whole batch stays in the queue and reappears after the visibility timeout.
      this.failedInvocations += 1;
      this.settings.onError?.(error);
      return;
    }
    for (const record of event.Records) {
      if (!failedIds.has(record.messageId) && record.receiptHandle !== undefined) queue.delete(record.receiptHandle);
    }
  }
}
