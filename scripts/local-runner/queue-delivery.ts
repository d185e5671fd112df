/**
 * The template's SQS queues (with their redrive) and event source mappings,
 * as local queues and pollers that invoke the mapped functions.
 */
import { LocalQueue, SqsPoller } from './delivery';
import type { LambdaHost } from './lambda-host';
import { CfnTemplate, LOCAL_REGION, LocalNames, resourcesOfType } from './template';

export interface PollerStats {
  batches: number;
  failedInvocations: number;
  reportedItemFailures: number;
}

export interface QueueDeliveryOptions {
  readonly template: CfnTemplate;
  readonly names: LocalNames;
  readonly visibilityTimeoutMs: number;
  readonly batchingWindowMs: number;
  /** Seed for queue ordering. */
  readonly seed: number;
  /** Receives every setting changed from the template. */
  readonly overrides: Record<string, string>;
}

export class QueueDelivery {
  public readonly queues = new Map<string, LocalQueue>();
  private readonly pollers: SqsPoller[] = [];

  constructor(private readonly options: QueueDeliveryOptions) {}

  public queue(logicalId: string): LocalQueue {
    const queue = this.queues.get(logicalId);
    if (queue === undefined) throw new Error(`Local runner: no queue ${logicalId}`);
    return queue;
  }

  /** Creates the queues and starts one poller per event source mapping. */
  public start(host: LambdaHost): void {
    const { template, names, visibilityTimeoutMs, batchingWindowMs, overrides } = this.options;
    const random = seededRandom(this.options.seed);
    // Dead-letter queues first, so redrive targets exist.
    const queueIds = resourcesOfType(template, 'AWS::SQS::Queue').map(([id]) => id)
      .sort((a) => (template.Resources[a].Properties?.RedrivePolicy === undefined ? -1 : 1));
    for (const id of queueIds) {
      const p = names.resolve(template.Resources[id].Properties) as Record<string, unknown>;
      const redrive = p.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
      overrides[`${id}.VisibilityTimeout`] = `${Number(p.VisibilityTimeout ?? 30)} s -> ${visibilityTimeoutMs} ms`;
      this.queues.set(id, new LocalQueue({
        name: names.name(id),
        arn: names.arn(id),
        visibilityTimeoutMs,
        maxReceiveCount: redrive?.maxReceiveCount,
        deadLetterQueue: redrive === undefined ? undefined : this.queue(names.logicalIdOf(redrive.deadLetterTargetArn, 'AWS::SQS::Queue')!),
      }, random));
    }
    for (const [id, esm] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
      const p = names.resolve(esm.Properties) as Record<string, unknown>;
      const fn = names.logicalIdOf(String(p.FunctionName), 'AWS::Lambda::Function')!;
      overrides[`${id}.MaximumBatchingWindowInSeconds`] = `${String(p.MaximumBatchingWindowInSeconds ?? 0)} s -> ${batchingWindowMs} ms`;
      const poller = new SqsPoller({
        queue: this.queue(names.logicalIdOf(String(p.EventSourceArn), 'AWS::SQS::Queue')!),
        batchSize: Number(p.BatchSize ?? 10),
        batchingWindowMs,
        maxConcurrency: Math.min(
          Number((p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 1000),
          host.spec(fn).concurrency),
        reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
        region: LOCAL_REGION,
        invoke: (event) => host.invoke(fn, event),
      });
      this.pollers.push(poller);
      poller.start();
    }
  }

  public stop(): void {
    for (const poller of this.pollers) poller.stop();
  }

  /** True while a batch is being delivered. */
  public get busy(): boolean {
    return this.pollers.some((p) => p.busy);
  }

  public get stats(): PollerStats {
    return this.pollers.reduce((s, p) => ({
      batches: s.batches + p.batches,
      failedInvocations: s.failedInvocations + p.failedInvocations,
      reportedItemFailures: s.reportedItemFailures + p.reportedItemFailures,
    }), { batches: 0, failedInvocations: 0, reportedItemFailures: 0 });
  }
}

/** Park-Miller: the same seed gives the same queue ordering. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}
