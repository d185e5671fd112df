/**
 * The example system, running on this machine from its synthesized template.
 *
 * Real: the CloudFormation template (synthesized in-process from
 * `buildExampleApp`), the state machine definition in it (run by
 * aws-local-stepfunctions), the bundled handler code staged in the cloud
 * assembly (the code that deploys), the AWS SDK clients inside it, DynamoDB
 * (dynalite, on disk) and S3 (s3rver, on disk).
 * Stand-ins (loopback HTTP, recorded): EventBridge PutEvents, SNS Publish,
 * Step Functions StartExecution/SendTask*, Secrets Manager GetSecretValue; the
 * rule -> SQS -> Lambda delivery (delivery.ts); API Gateway in front of the
 * review API's handlers, with a labelled stand-in identity in place of SigV4
 * (review-api-server.ts); the clinician deciding on a held study (workflow.ts:
 * through that API when the template has one, else answering the token itself).
 * Time is compressed where the template says minutes (visibility timeout,
 * batching window, sweep schedule, quiet period): see `LocalSystemOptions`.
 *
 * This class composes the pieces: template-wiring.ts (what the template
 * says), local-resources.ts, queue-delivery.ts, sweep-schedule.ts,
 * local-event-bus.ts, local-topics.ts, local-secrets.ts and fault-plan.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AwsStandIns, ServiceError } from './aws-stand-ins';
import type { LocalQueue } from './delivery';
import { LocalEngines } from './engines';
import { FaultInjector, FaultPlan } from './fault-plan';
import { LambdaHost, LogLine } from './lambda-host';
import { LocalEventBus, RecordedEvent } from './local-event-bus';
import { LocalResources, StudyItem } from './local-resources';
import { LocalSecrets } from './local-secrets';
import { LocalTopics, Notification } from './local-topics';
import { PollerStats, QueueDelivery } from './queue-delivery';
import { ReviewApiServer, standInReviewerArn } from './review-api-server';
import { SweepSchedule } from './sweep-schedule';
import { CfnTemplate, LocalNames, SynthesizedExample } from './template';
import { findPipeline, findReanalysis, findRestApi, functionSpecs, PipelineResources, StateMachineDefinition } from './template-wiring';
import { ExecutionRecord, LocalWorkflow, mapTaskStates, ReviewDeskDecision, ReviewPolicy, TaskMapping } from './workflow';

export type { FaultPlan } from './fault-plan';
export type { RecordedEvent } from './local-event-bus';
export type { StudyItem } from './local-resources';
export type { Notification } from './local-topics';

/** Stand-in session of the review desk: its decisions are recorded as `standInReviewerArn(REVIEW_DESK_SESSION)`. */
export const REVIEW_DESK_SESSION = 'review-desk';

export interface LocalSystemOptions {
  /** Synthesized example (see `synthesizeExample`). */
  readonly example: SynthesizedExample;
  /** Engine data, secrets and logs live here; reusing it keeps the data. */
  readonly workDir: string;
  /**
   * Overrides QUIET_PERIOD_SECONDS in every function environment that sets it
   * (the sweeper), so a demo need not wait the template's 5 minutes.
   * @default - the template's value
   */
  readonly quietPeriodSeconds?: number;
  /** The sweep schedule (template: rate(1 minute)); `0` = only when `sweep()` is called. @default 1000 */
  readonly sweepIntervalMs?: number;
  /** Queue visibility timeout (template: 725 s); keep it above a batch's local run time. @default 8000 */
  readonly visibilityTimeoutMs?: number;
  /** Event source batching window (template: 5 s). @default 200 */
  readonly batchingWindowMs?: number;
  /** Environments per function at most (reserved concurrency applies below this). @default 2 */
  readonly maxEnvironmentsPerFunction?: number;
  /** @default { mode: 'approve' } */
  readonly review?: ReviewPolicy;
  readonly faults?: FaultPlan;
  /**
   * Wait between Step Functions retries (the definition's backoff waits up to
   * 30 s); recorded in `overrides`. @default 50
   */
  readonly retryIntervalMs?: number;
  /** Seed for queue ordering. @default 1 */
  readonly seed?: number;
  /** Every captured handler log line, as it arrives. */
  readonly onLog?: (line: LogLine) => void;
}

export class LocalSystem {
  public static async start(options: LocalSystemOptions): Promise<LocalSystem> {
    const system = new LocalSystem(options);
    try {
      await system.boot();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  // ---- what the run recorded (for progress, summaries and the PHI scan)
  public readonly logs: LogLine[] = [];
  public readonly events: RecordedEvent[];
  public readonly notifications: Notification[];
  /** Task mappings of the definition (state name -> local target). */
  public readonly taskMappings: readonly TaskMapping[];
  /** Settings the runner changed from the template, for the record. */
  public readonly overrides: Record<string, string> = {};

  public readonly names: LocalNames;
  public readonly template: CfnTemplate;
  public readonly engines: LocalEngines;
  public readonly standIns: AwsStandIns;
  public readonly queues: Map<string, LocalQueue>;
  public workflow!: LocalWorkflow;
  /** The re-analysis state machine (`StudyReanalysis`), when the template has one. */
  public reanalysis?: LocalWorkflow;
  public host!: LambdaHost;
  /** The template's review API on loopback (undefined when the template has none). */
  public reviewApi?: ReviewApiServer;
  /** How the review desk decides held studies (mode, and through what). */
  public reviewDesk = '';

  /** Resolved names the pipeline uses. */
  public readonly resources: PipelineResources;

  /** The state machine definition from the template (with tokens resolved to local names). */
  public readonly definition: StateMachineDefinition;
  private readonly faults: FaultInjector;
  private readonly bus: LocalEventBus;
  private readonly delivery: QueueDelivery;
  private readonly sweeps: SweepSchedule;
  private stores?: LocalResources;
  private stopped = false;

  private constructor(private readonly options: LocalSystemOptions) {
    this.template = options.example.template;
    this.names = new LocalNames(this.template, options.example.stackName);
    const pipeline = findPipeline(this.template, this.names);
    this.resources = pipeline.resources;
    this.definition = pipeline.definition;
    this.taskMappings = mapTaskStates(this.definition, (arn) => this.names.functionOf(arn));

    this.faults = new FaultInjector(options.faults);
    this.delivery = new QueueDelivery({
      template: this.template,
      names: this.names,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? 8000,
      batchingWindowMs: options.batchingWindowMs ?? 200,
      seed: options.seed ?? 1,
      overrides: this.overrides,
    });
    this.queues = this.delivery.queues;
    this.bus = new LocalEventBus({
      template: this.template,
      names: this.names,
      sendToQueue: (queueId, body) => this.queue(queueId).send(body),
      invokeFunction: (fn, event) => this.host.invoke(fn, event),
      queueCopies: this.faults.queueCopies,
    });
    this.events = this.bus.events;
    const topics = new LocalTopics(this.names);
    this.notifications = topics.notifications;
    const secrets = new LocalSecrets(this.template, this.names, options.workDir);
    this.sweeps = new SweepSchedule((event) => this.host.invoke(this.resources.sweeperFunction, event));

    this.engines = new LocalEngines(path.join(options.workDir, 'engines'), (event) => this.bus.onS3Event(event));
    this.standIns = new AwsStandIns({
      putEvents: (entries) => this.bus.putEvents(entries),
      publish: (m) => topics.publish(m),
      startExecution: (r) => (r.stateMachineArn === this.reanalysis?.stateMachineArn ? this.reanalysis : this.workflow).start(r),
      describeExecution: (arn) => (this.reanalysis?.executions.has(arn.split(':').pop()!) ? this.reanalysis : this.workflow).describe(arn),
      sendTaskSuccess: (t, o) => this.workflow.sendTaskSuccess(t, o),
      sendTaskFailure: (t, e, c) => this.workflow.sendTaskFailure(t, e, c),
      getSecretValue: (id) => secrets.getSecretValue(id),
      sendMessages: (queueUrl, bodies) => {
        const queueId = this.names.logicalIdOf(queueUrl, 'AWS::SQS::Queue');
        if (queueId === undefined) throw new ServiceError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist');
        for (const body of bodies) this.queue(queueId).send(body);
      },
    });
  }

  // ------------------------------------------------------------------ lifecycle

  private async boot(): Promise<void> {
    fs.mkdirSync(this.options.workDir, { recursive: true });
    const endpoints = await this.engines.start();
    await this.standIns.start();
    this.stores = new LocalResources(endpoints);
    await this.stores.create(this.template, this.names);

    this.host = new LambdaHost(functionSpecs({
      example: this.options.example,
      names: this.names,
      endpoints,
      standInEnvironment: this.standIns.endpointEnvironment,
      workDir: this.options.workDir,
      maxEnvironmentsPerFunction: this.options.maxEnvironmentsPerFunction ?? 2,
      quietPeriodSeconds: this.options.quietPeriodSeconds,
      overrides: this.overrides,
    }), (line) => {
      this.logs.push(line);
      this.options.onLog?.(line);
    });
    this.faults.installCrashFault(this.host, this.resources.ingestFunction);
    const restApi = findRestApi(this.template, this.names);
    if (restApi !== undefined) {
      this.reviewApi = new ReviewApiServer({ api: restApi, invoke: (fn, event) => this.host.invoke(fn, event) });
      await this.reviewApi.start();
    }

    const retryIntervalMs = this.options.retryIntervalMs ?? 50;
    this.overrides.RetryIntervals = `IntervalSeconds x BackoffRate -> ${retryIntervalMs} ms`;
    this.workflow = new LocalWorkflow({
      stateMachineArn: this.resources.stateMachineArn,
      definition: this.definition,
      mappings: this.taskMappings,
      invokeFunction: (id, payload) => this.host.invoke(id, payload),
      functionByName: (name) => this.names.functionOf(name),
      putEvents: (entries) => this.bus.putEvents(entries),
      review: this.options.review ?? { mode: 'approve' },
      lambdaServiceFault: (stateName, _fn, executionName) => this.faults.serviceFault(stateName, executionName),
      readObject: (bucket, key) => this.getObject(bucket, key),
      retryIntervalMs,
      decide: this.reviewApi === undefined ? undefined : (decision) => this.decideThroughReviewApi(decision),
    });
    const reanalysis = findReanalysis(this.template, this.names);
    if (reanalysis !== undefined) {
      this.reanalysis = new LocalWorkflow({
        stateMachineArn: reanalysis.stateMachineArn,
        definition: reanalysis.definition,
        mappings: mapTaskStates(reanalysis.definition, (arn) => this.names.functionOf(arn)),
        invokeFunction: (id, payload) => this.host.invoke(id, payload),
        functionByName: (name) => this.names.functionOf(name),
        putEvents: (entries) => this.bus.putEvents(entries),
        review: { mode: 'manual' },
        readObject: (bucket, key) => this.getObject(bucket, key),
        retryIntervalMs,
        startExecutionSync: (request) => this.runAnalysisToEnd(request),
      });
    }
    const mode = (this.options.review ?? { mode: 'approve' }).mode;
    this.reviewDesk = this.reviewApi === undefined
      ? `${mode}: answers the task token itself (the template has no review API)`
      : `${mode}: POST ${this.reviewApi.url}studies/{studyKey}/decision as ${standInReviewerArn(REVIEW_DESK_SESSION)} (stand-in for SigV4)`;

    this.delivery.start(this.host);
    const sweepIntervalMs = this.options.sweepIntervalMs ?? 1000;
    this.overrides.SweepSchedule = sweepIntervalMs > 0 ? `rate(1 minute) -> every ${sweepIntervalMs} ms` : 'only on demand';
    if (sweepIntervalMs > 0 && this.resources.sweeperFunction !== '') this.sweeps.start(sweepIntervalMs);
  }

  /** Stops everything this runner started: pollers, schedules, executions, workers, servers. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const sweepEnded = this.sweeps.stop();
    this.delivery.stop();
    await sweepEnded;
    await this.reanalysis?.stop();
    await this.workflow?.stop();
    await this.reviewApi?.stop();
    await this.host?.stop();
    this.stores?.destroy();
    await this.standIns.stop();
    await this.engines.stop();
  }

  /** Kill and restart both engines (same ports, same on-disk data). */
  public async restartEngines(): Promise<void> {
    await this.engines.restart();
  }

  // ------------------------------------------------------------------ inputs

  /** PutObject into the upload bucket, as an uploader would (S3 then emits "Object Created"). */
  public async upload(key: string, body: Uint8Array): Promise<void> {
    await this.stores!.putObject(this.resources.uploadBucket, key, body);
    // Its "Object Created" notification is on the bus before the upload counts as done.
    await this.engines.flushS3Events();
  }

  /**
   * Stores an object in a bucket outside the pipeline (an archive the example is
   * told about with `referencedBucketName`), creating the bucket when needed: no
   * event follows, as nothing in the template listens to it.
   */
  public async storeElsewhere(bucket: string, key: string, body: Uint8Array): Promise<void> {
    await this.stores!.ensureBucket(bucket);
    await this.stores!.putObject(bucket, key, body);
    await this.engines.flushS3Events();
  }

  /** Deletes an object of any bucket (an erasure or a lifecycle rule taking a study's objects away). */
  public async deleteObject(bucket: string, key: string): Promise<void> {
    await this.stores!.deleteObject(bucket, key);
    await this.engines.flushS3Events();
  }

  /** Puts an `Analysis Requested` event (detail as given) on the pipeline's bus, as a hospital system would. */
  public requestAnalysis(detail: Record<string, unknown>): void {
    this.bus.putEvents([{ EventBusName: this.resources.eventBusName, Source: 'hospital.archive', DetailType: 'Analysis Requested', Detail: JSON.stringify(detail) }]);
  }

  /** Starts a re-analysis run (StartExecution on the re-analysis state machine), as an operator would. */
  public startReanalysis(input: Record<string, unknown>, name?: string): ExecutionRecord {
    if (this.reanalysis === undefined) throw new Error('Local runner: the template has no re-analysis state machine');
    const { executionArn } = this.reanalysis.start({ stateMachineArn: this.reanalysis.stateMachineArn, name, input: JSON.stringify(input) });
    return [...this.reanalysis.executions.values()].find((e) => e.executionArn === executionArn)!;
  }

  /** `states:startExecution.sync:2` on the analysis workflow: its execution, run to its end. */
  private async runAnalysisToEnd(request: { StateMachineArn: string; Name?: string; Input?: unknown }): Promise<unknown> {
    const input = typeof request.Input === 'string' ? request.Input : JSON.stringify(request.Input ?? {});
    const { executionArn } = this.workflow.start({ stateMachineArn: request.StateMachineArn, name: request.Name, input });
    const record = [...this.workflow.executions.values()].find((e) => e.executionArn === executionArn)!;
    await record.done;
    if (record.status !== 'SUCCEEDED') {
      const error = new Error(`The execution ended ${record.status} (${record.error ?? 'no error'})`);
      error.name = 'States.TaskFailed';
      throw error;
    }
    return {
      ExecutionArn: executionArn,
      Status: record.status,
      Input: JSON.parse(input),
      Output: record.output,
      StartDate: record.startedAt,
      StopDate: record.endedAt,
    };
  }

  /** A message that is not an S3 event, sent straight to the ingest queue (a poison message). */
  public sendRawMessage(body: string): void {
    this.queue(this.resources.ingestQueue).send(body);
  }

  /** Invoke the sweeper once, as its schedule would. */
  public sweep(): Promise<unknown> {
    return this.sweeps.sweep();
  }

  /** The review desk's decision, taken through the review API like a clinician's; refused decisions reject. */
  private async decideThroughReviewApi(decision: ReviewDeskDecision): Promise<void> {
    const body = {
      version: decision.version,
      decision: decision.decision,
      ...(decision.decision === 'REJECT' ? { reason: 'Rejected by the local review desk (stand-in)' } : {}),
    };
    const response = await this.reviewApi!.call('POST', `studies/${decision.studyKey}/decision`, { body, session: REVIEW_DESK_SESSION });
    if (response.status !== 200) throw new Error(`The review API refused the review desk's decision (${response.status}): ${response.body}`);
  }

  // ------------------------------------------------------------------ observation

  public queue(logicalId: string): LocalQueue {
    return this.delivery.queue(logicalId);
  }

  /** Nothing queued, nothing running, no study still on its way to a result. */
  public async isIdle(): Promise<boolean> {
    if (this.queue(this.resources.ingestQueue).size > 0) return false;
    if (this.delivery.busy || this.workflow.running > 0 || (this.reanalysis?.running ?? 0) > 0) return false;
    if (this.host.inFlight > (this.sweeps.running ? 1 : 0)) return false;
    const items = await this.scanTable();
    return !items.some((i) => i.SK === 'META' && ['RECEIVING', 'READY', 'ANALYZING'].includes(String(i.status)));
  }

  /** Waits until `isIdle()` holds twice in a row. */
  public async settle(timeoutMs = 120_000, onTick?: () => void): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 2) {
      if (Date.now() > deadline) throw new Error(`Local runner: not idle after ${timeoutMs} ms (${this.describeActivity()})`);
      await sleep(150);
      onTick?.();
      quiet = await this.isIdle() ? quiet + 1 : 0;
    }
  }

  /** True while a batch is being delivered to the ingest function. */
  public get ingestBusy(): boolean {
    return this.delivery.busy;
  }

  public describeActivity(): string {
    const q = this.queue(this.resources.ingestQueue);
    return `queue ${q.size} (visible ${q.visible().length}), running executions ${this.workflow.running}, in-flight invocations ${this.host.inFlight}`;
  }

  /** Every item of the results table (small local data sets only). */
  public async scanTable(): Promise<StudyItem[]> {
    return this.stores!.scan(this.resources.tableName);
  }

  public async getObject(bucket: string, key: string): Promise<Buffer> {
    return this.stores!.getObject(bucket, key);
  }

  /** How many Lambda service errors the fault plan injected. */
  public get injectedServiceErrors(): number {
    return this.faults.injectedServiceErrors;
  }

  public get pollerStats(): PollerStats {
    return this.delivery.stats;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
