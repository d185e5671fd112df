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
 * rule -> SQS -> Lambda delivery (delivery.ts); the clinician answering a task
 * token (workflow.ts, LOCAL_REVIEWER).
 * Time is compressed where the template says minutes (visibility timeout,
 * batching window, sweep schedule, quiet period): see `LocalSystemOptions`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand, ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { AwsStandIns, PutEventsEntry, ServiceError } from './aws-stand-ins';
import { BusEvent, LocalQueue, matchesPattern, SqsPoller } from './delivery';
import { LocalEngines, S3NotificationEvent } from './engines';
import { FunctionSpec, LambdaHost, LogLine } from './lambda-host';
import { CfnTemplate, LOCAL_ACCOUNT, LOCAL_REGION, LocalNames, resourcesOfType, SynthesizedExample } from './template';
import { LocalWorkflow, mapTaskStates, ReviewPolicy, TaskMapping } from './workflow';

export interface Notification {
  readonly at: number;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

export interface RecordedEvent {
  readonly at: number;
  readonly busName: string;
  readonly event: BusEvent;
  /** Logical ids of the rules that matched. */
  readonly matchedRules: string[];
}

export interface FaultPlan {
  /** EventBridge delivers every matched event to a queue target twice (at-least-once). */
  readonly duplicateDelivery?: boolean;
  /** Kill the ingest function's environment once, after it logged this many processed objects in one run. */
  readonly ingestCrashAfterObjects?: number;
  /**
   * Lambda service errors for Task states whose name matches `stateName`: the
   * first invocations of each such state in each execution fail with these
   * error names in turn (e.g. throttling, then a service error), then the
   * function runs. The state machine's Retry must absorb them.
   */
  readonly lambdaServiceErrors?: { readonly stateName: RegExp; readonly errors: readonly string[] };
}

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
  /** Seed for queue ordering. @default 1 */
  readonly seed?: number;
  /** Every captured handler log line, as it arrives. */
  readonly onLog?: (line: LogLine) => void;
}

export interface StudyItem {
  readonly [key: string]: unknown;
  readonly PK: string;
  readonly SK: string;
}

// s3rver accepts only its own well-known fake key pair; dynalite and the stand-ins accept any.
const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

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
  public readonly events: RecordedEvent[] = [];
  public readonly notifications: Notification[] = [];
  /** Task mappings of the definition (state name -> local target). */
  public readonly taskMappings: readonly TaskMapping[];
  /** Settings the runner changed from the template, for the record. */
  public readonly overrides: Record<string, string> = {};

  public readonly names: LocalNames;
  public readonly template: CfnTemplate;
  public readonly engines: LocalEngines;
  public readonly standIns: AwsStandIns;
  public readonly queues = new Map<string, LocalQueue>();
  public workflow!: LocalWorkflow;
  public host!: LambdaHost;

  /** Resolved names the pipeline uses. */
  public readonly resources: {
    tableName: string;
    uploadBucket: string;
    uploadPrefix: string;
    derivedBucket: string;
    reportsBucket: string;
    ingestQueue: string;
    deadLetterQueue: string;
    ingestFunction: string;
    sweeperFunction: string;
    stateMachineArn: string;
  };

  private readonly pollers: SqsPoller[] = [];
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;
  private readonly serviceFaultCounts = new Map<string, number>();
  private readonly secrets = new Map<string, string>();
  private readonly eventBridgeBuckets = new Set<string>();
  private readonly rules: Array<{ id: string; busName: string; pattern: unknown; targets: string[] }> = [];
  private doc!: DynamoDBDocumentClient;
  private dynamodb!: DynamoDBClient;
  private s3!: S3Client;
  private readonly random: () => number;
  private readonly definition: unknown;
  private stopped = false;

  private constructor(private readonly options: LocalSystemOptions) {
    this.template = options.example.template;
    this.names = new LocalNames(this.template, options.example.stackName);
    this.engines = new LocalEngines(path.join(options.workDir, 'engines'), (event) => this.onS3Event(event));
    this.standIns = new AwsStandIns({
      putEvents: (entries) => this.putEvents(entries),
      publish: (m) => this.publish(m),
      startExecution: (r) => this.workflow.start(r),
      sendTaskSuccess: (t, o) => this.workflow.sendTaskSuccess(t, o),
      sendTaskFailure: (t, e, c) => this.workflow.sendTaskFailure(t, e, c),
      getSecretValue: (id) => this.getSecretValue(id),
    });
    let seed = options.seed ?? 1;
    this.random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };

    // ---- Find the pipeline's pieces through the template's own wiring.
    const [esmId, esm] = single(resourcesOfType(this.template, 'AWS::Lambda::EventSourceMapping'), 'event source mapping');
    const esmProps = this.names.resolve(esm.Properties) as Record<string, unknown>;
    const ingestFunction = this.names.logicalIdOf(String(esmProps.FunctionName), 'AWS::Lambda::Function')!;
    const ingestQueue = this.names.logicalIdOf(String(esmProps.EventSourceArn), 'AWS::SQS::Queue')!;
    const queueProps = this.names.resolve(this.template.Resources[ingestQueue].Properties) as Record<string, unknown>;
    const redrive = queueProps.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
    const deadLetterQueue = redrive === undefined ? '' : this.names.logicalIdOf(redrive.deadLetterTargetArn, 'AWS::SQS::Queue')!;
    const ingestEnv = this.functionEnvironment(ingestFunction);
    const schedule = resourcesOfType(this.template, 'AWS::Events::Rule').find(([, r]) => r.Properties?.ScheduleExpression !== undefined);
    const sweeperArn = schedule === undefined ? '' : String((this.names.resolve(schedule[1].Properties?.Targets) as Array<{ Arn: string }>)[0].Arn);
    const [stateMachineId] = single(resourcesOfType(this.template, 'AWS::StepFunctions::StateMachine'), 'state machine');
    const persistFunction = resourcesOfType(this.template, 'AWS::Lambda::Function').find(([id]) => this.functionEnvironment(id).REPORTS_BUCKET !== undefined);
    this.resources = {
      tableName: ingestEnv.TABLE_NAME,
      uploadBucket: ingestEnv.UPLOAD_BUCKET,
      uploadPrefix: ingestEnv.UPLOAD_PREFIX ?? '',
      derivedBucket: ingestEnv.DERIVED_BUCKET,
      reportsBucket: persistFunction === undefined ? '' : this.functionEnvironment(persistFunction[0]).REPORTS_BUCKET,
      ingestQueue,
      deadLetterQueue,
      ingestFunction,
      sweeperFunction: this.names.logicalIdOf(sweeperArn, 'AWS::Lambda::Function') ?? '',
      stateMachineArn: this.names.arn(stateMachineId),
    };
    void esmId;

    const definition = JSON.parse(String(this.names.resolve(this.template.Resources[stateMachineId].Properties?.DefinitionString)));
    this.taskMappings = mapTaskStates(definition, (arn) => this.names.logicalIdOf(arn, 'AWS::Lambda::Function'));
    this.definition = definition;
  }

  // ------------------------------------------------------------------ lifecycle

  private async boot(): Promise<void> {
    fs.mkdirSync(this.options.workDir, { recursive: true });
    const endpoints = await this.engines.start();
    await this.standIns.start();
    this.dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: FAKE_CREDENTIALS });
    this.doc = DynamoDBDocumentClient.from(this.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
    this.s3 = new S3Client({ endpoint: endpoints.s3, region: LOCAL_REGION, credentials: FAKE_CREDENTIALS, forcePathStyle: true });
    await this.createResources();

    this.host = new LambdaHost(this.functionSpecs(), (line) => {
      this.logs.push(line);
      this.options.onLog?.(line);
    });
    const faults = this.options.faults ?? {};
    if (faults.ingestCrashAfterObjects !== undefined) {
      this.host.addCrashFault({ logicalId: this.resources.ingestFunction, match: /"message":"Object processed"/, count: faults.ingestCrashAfterObjects });
    }

    this.workflow = new LocalWorkflow({
      stateMachineArn: this.resources.stateMachineArn,
      definition: this.definition as never,
      mappings: this.taskMappings,
      invokeFunction: (id, payload) => this.host.invoke(id, payload),
      functionByName: (name) => this.names.logicalIdOf(name, 'AWS::Lambda::Function'),
      putEvents: (entries) => this.putEvents(entries),
      review: this.options.review ?? { mode: 'approve' },
      lambdaServiceFault: (stateName, _fn, executionName) => this.serviceFault(stateName, executionName),
    });

    this.startDelivery();
  }

  /** Stops everything this runner started: pollers, schedules, executions, workers, servers. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    for (const poller of this.pollers) poller.stop();
    await this.sweeping?.catch(() => undefined);
    await this.workflow?.stop();
    await this.host?.stop();
    this.doc?.destroy();
    this.dynamodb?.destroy();
    this.s3?.destroy();
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
    await this.s3.send(new PutObjectCommand({ Bucket: this.resources.uploadBucket, Key: key, Body: body }));
  }

  /** A message that is not an S3 event, sent straight to the ingest queue (a poison message). */
  public sendRawMessage(body: string): void {
    this.queue(this.resources.ingestQueue).send(body);
  }

  /** Invoke the sweeper once, as its schedule would. */
  public sweep(): Promise<unknown> {
    if (this.sweeping !== undefined) return this.sweeping;
    const run = this.host.invoke(this.resources.sweeperFunction, {
      'version': '0',
      'id': crypto.randomUUID(),
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': LOCAL_ACCOUNT,
      'time': new Date().toISOString(),
      'region': LOCAL_REGION,
      'resources': [],
      'detail': {},
    });
    this.sweeping = run.finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  // ------------------------------------------------------------------ observation

  public queue(logicalId: string): LocalQueue {
    const queue = this.queues.get(logicalId);
    if (queue === undefined) throw new Error(`Local runner: no queue ${logicalId}`);
    return queue;
  }

  /** Nothing queued, nothing running, no study still on its way to a result. */
  public async isIdle(): Promise<boolean> {
    if (this.queue(this.resources.ingestQueue).size > 0) return false;
    if (this.pollers.some((p) => p.busy) || this.workflow.running > 0) return false;
    if (this.host.inFlight > (this.sweeping === undefined ? 0 : 1)) return false;
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
    return this.pollers.some((p) => p.busy);
  }

  public describeActivity(): string {
    const q = this.queue(this.resources.ingestQueue);
    return `queue ${q.size} (visible ${q.visible().length}), running executions ${this.workflow.running}, in-flight invocations ${this.host.inFlight}`;
  }

  /** Every item of the results table (small local data sets only). */
  public async scanTable(): Promise<StudyItem[]> {
    const items: StudyItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.doc.send(new ScanCommand({
        TableName: this.resources.tableName, ExclusiveStartKey: startKey, ConsistentRead: true,
      }));
      items.push(...(page.Items ?? []) as StudyItem[]);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  public async getObject(bucket: string, key: string): Promise<Buffer> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }

  // ------------------------------------------------------------------ wiring

  private functionEnvironment(logicalId: string): Record<string, string> {
    const props = this.template.Resources[logicalId].Properties ?? {};
    const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    return this.names.resolve(variables) as Record<string, string>;
  }

  private functionSpecs(): FunctionSpec[] {
    const endpoints = this.engines.endpoints;
    const maxEnvironments = this.options.maxEnvironmentsPerFunction ?? 2;
    return resourcesOfType(this.template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
      const props = resource.Properties ?? {};
      const code = this.names.resolve(props.Code) as { S3Key?: string };
      const assetDir = code.S3Key === undefined ? undefined : this.options.example.assetDirs.get(code.S3Key);
      if (assetDir === undefined) throw new Error(`Local runner: function ${logicalId} has no staged asset`);
      const handler = String(props.Handler);
      const dot = handler.lastIndexOf('.');
      const functionName = this.names.ref(logicalId);
      const memoryMb = Number(props.MemorySize ?? 128);
      const template = this.functionEnvironment(logicalId);
      // NODE_OPTIONS cannot apply to a worker thread; source maps are off in the bundles anyway.
      delete template.NODE_OPTIONS;
      if (this.options.quietPeriodSeconds !== undefined && template.QUIET_PERIOD_SECONDS !== undefined) {
        this.overrides[`${logicalId}.QUIET_PERIOD_SECONDS`] = `${template.QUIET_PERIOD_SECONDS} -> ${this.options.quietPeriodSeconds}`;
        template.QUIET_PERIOD_SECONDS = String(this.options.quietPeriodSeconds);
      }
      return {
        logicalId,
        functionName,
        entry: require.resolve(path.join(assetDir, handler.slice(0, dot))),
        handlerName: handler.slice(dot + 1),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb,
        concurrency: Math.max(1, Math.min(maxEnvironments, Number(props.ReservedConcurrentExecutions ?? maxEnvironments))),
        environment: {
          ...template,
          AWS_REGION: LOCAL_REGION,
          AWS_DEFAULT_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
          AWS_ENDPOINT_URL_S3: endpoints.s3,
          ...this.standIns.endpointEnvironment,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONFIG_FILE: path.join(this.options.workDir, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(this.options.workDir, 'no-aws-credentials'),
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
          AWS_EXECUTION_ENV: `AWS_Lambda_${String(props.Runtime ?? 'nodejs')}`,
          LAMBDA_TASK_ROOT: assetDir,
          TZ: 'UTC',
        },
      };
    });
  }

  private async createResources(): Promise<void> {
    for (const [, table] of resourcesOfType(this.template, 'AWS::DynamoDB::Table')) {
      const p = this.names.resolve(table.Properties) as Record<string, unknown>;
      const input: CreateTableCommandInput = {
        TableName: this.resources.tableName,
        AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
        KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
        LocalSecondaryIndexes: p.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'],
        BillingMode: (p.BillingMode as CreateTableCommandInput['BillingMode']) ?? 'PAY_PER_REQUEST',
      };
      try {
        const tableName = String(p.TableName ?? this.names.ref(findId(this.template, table)));
        await this.dynamodb.send(new CreateTableCommand({ ...input, TableName: tableName }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    for (const [id, bucket] of resourcesOfType(this.template, 'AWS::S3::Bucket')) {
      const name = this.names.ref(id);
      type BucketNotification = { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } } | undefined;
      const notification = bucket.Properties?.NotificationConfiguration as BucketNotification;
      if (notification?.EventBridgeConfiguration?.EventBridgeEnabled === true) this.eventBridgeBuckets.add(name);
      try {
        await this.s3.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        if (!(error instanceof Error && /BucketAlready/.test(error.name))) throw error;
      }
    }
    for (const [id, rule] of resourcesOfType(this.template, 'AWS::Events::Rule')) {
      type RuleProps = { EventPattern?: unknown; EventBusName?: string; State?: string; Targets?: Array<{ Arn: string }> };
      const p = this.names.resolve(rule.Properties) as RuleProps;
      if (p.EventPattern === undefined || p.State === 'DISABLED') continue;
      const busName = p.EventBusName === undefined ? 'default' : p.EventBusName.split('/').pop()!;
      this.rules.push({ id, busName, pattern: p.EventPattern, targets: (p.Targets ?? []).map((t) => t.Arn) });
    }
  }

  private startDelivery(): void {
    const visibilityTimeoutMs = this.options.visibilityTimeoutMs ?? 8000;
    // Dead-letter queues first, so redrive targets exist.
    const queueIds = resourcesOfType(this.template, 'AWS::SQS::Queue').map(([id]) => id)
      .sort((a) => (this.template.Resources[a].Properties?.RedrivePolicy === undefined ? -1 : 1));
    for (const id of queueIds) {
      const p = this.names.resolve(this.template.Resources[id].Properties) as Record<string, unknown>;
      const redrive = p.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
      const templateVisibility = Number(p.VisibilityTimeout ?? 30);
      this.overrides[`${id}.VisibilityTimeout`] = `${templateVisibility} s -> ${visibilityTimeoutMs} ms`;
      this.queues.set(id, new LocalQueue({
        name: this.names.name(id),
        arn: this.names.arn(id),
        visibilityTimeoutMs,
        maxReceiveCount: redrive?.maxReceiveCount,
        deadLetterQueue: redrive === undefined ? undefined : this.queue(this.names.logicalIdOf(redrive.deadLetterTargetArn, 'AWS::SQS::Queue')!),
      }, this.random));
    }
    for (const [id, esm] of resourcesOfType(this.template, 'AWS::Lambda::EventSourceMapping')) {
      const p = this.names.resolve(esm.Properties) as Record<string, unknown>;
      const fn = this.names.logicalIdOf(String(p.FunctionName), 'AWS::Lambda::Function')!;
      const queueId = this.names.logicalIdOf(String(p.EventSourceArn), 'AWS::SQS::Queue')!;
      const batchingWindowMs = this.options.batchingWindowMs ?? 200;
      this.overrides[`${id}.MaximumBatchingWindowInSeconds`] = `${String(p.MaximumBatchingWindowInSeconds ?? 0)} s -> ${batchingWindowMs} ms`;
      const poller = new SqsPoller({
        queue: this.queue(queueId),
        batchSize: Number(p.BatchSize ?? 10),
        batchingWindowMs,
        maxConcurrency: Math.min(
          Number((p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 1000),
          this.host.spec(fn).concurrency),
        reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
        region: LOCAL_REGION,
        invoke: (event) => this.host.invoke(fn, event),
      });
      this.pollers.push(poller);
      poller.start();
    }
    const sweepIntervalMs = this.options.sweepIntervalMs ?? 1000;
    this.overrides.SweepSchedule = sweepIntervalMs > 0 ? `rate(1 minute) -> every ${sweepIntervalMs} ms` : 'only on demand';
    if (sweepIntervalMs > 0 && this.resources.sweeperFunction !== '') {
      this.sweepTimer = setInterval(() => {
        if (this.sweeping === undefined) void this.sweep().catch(() => undefined);
      }, sweepIntervalMs);
    }
  }

  // ------------------------------------------------------------------ stand-in backends

  private onS3Event(notification: S3NotificationEvent): void {
    for (const record of notification.Records) {
      const bucket = record.s3.bucket.name;
      if (!this.eventBridgeBuckets.has(bucket)) continue;
      const created = record.eventName.startsWith('ObjectCreated:');
      const detail = {
        'version': '0',
        'bucket': { name: bucket },
        'object': created
          ? { key: record.s3.object.key, size: record.s3.object.size, etag: record.s3.object.eTag, sequencer: record.s3.object.sequencer }
          : { key: record.s3.object.key, sequencer: record.s3.object.sequencer },
        'request-id': crypto.randomUUID(),
        'requester': LOCAL_ACCOUNT,
        'source-ip-address': '127.0.0.1',
        'reason': created ? (record.eventName.endsWith('Copy') ? 'CopyObject' : 'PutObject') : 'DeleteObject',
      };
      this.deliver('default', {
        'version': '0',
        'id': crypto.randomUUID(),
        'detail-type': created ? 'Object Created' : 'Object Deleted',
        'source': 'aws.s3',
        'account': LOCAL_ACCOUNT,
        'time': record.eventTime,
        'region': LOCAL_REGION,
        'resources': [`arn:aws:s3:::${bucket}`],
        'detail': detail,
      });
    }
  }

  private putEvents(entries: PutEventsEntry[]): string[] {
    return entries.map((entry) => {
      const busName = (entry.EventBusName ?? 'default').split('/').pop()!;
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
      this.deliver(busName, event);
      return event.id;
    });
  }

  private deliver(busName: string, event: BusEvent): void {
    const matched = this.rules.filter((r) => r.busName === busName && matchesPattern(r.pattern, event));
    this.events.push({ at: Date.now(), busName, event, matchedRules: matched.map((r) => r.id) });
    for (const rule of matched) {
      for (const target of rule.targets) {
        const queueId = this.names.logicalIdOf(target, 'AWS::SQS::Queue');
        if (queueId !== undefined) {
          const copies = this.options.faults?.duplicateDelivery ? 2 : 1;
          for (let i = 0; i < copies; i++) this.queue(queueId).send(JSON.stringify(event));
          continue;
        }
        const fn = this.names.logicalIdOf(target, 'AWS::Lambda::Function');
        if (fn !== undefined) void this.host.invoke(fn, event).catch(() => undefined);
      }
    }
  }

  private publish(message: { topicArn: string; subject?: string; message: string }): string {
    if (this.names.logicalIdOf(message.topicArn, 'AWS::SNS::Topic') === undefined) {
      throw new ServiceError('NotFound', 'Topic does not exist');
    }
    this.notifications.push({ at: Date.now(), ...message });
    return crypto.randomUUID();
  }

  private getSecretValue(secretId: string): { arn: string; name: string; secretString: string } {
    const id = this.names.logicalIdOf(secretId, 'AWS::SecretsManager::Secret');
    if (id === undefined) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    let value = this.secrets.get(id);
    if (value === undefined) {
      // GenerateSecretString, once per work directory (the secret outlives restarts, as in AWS).
      const file = path.join(this.options.workDir, `secret-${id}.txt`);
      if (fs.existsSync(file)) {
        value = fs.readFileSync(file, 'utf8');
      } else {
        const spec = (this.template.Resources[id].Properties?.GenerateSecretString ?? {}) as { PasswordLength?: number };
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
        value = Array.from(crypto.randomBytes(spec.PasswordLength ?? 32), (b) => alphabet[b % alphabet.length]).join('');
        fs.writeFileSync(file, value, { mode: 0o600 });
      }
      this.secrets.set(id, value);
    }
    return { arn: this.names.arn(id), name: id, secretString: value };
  }

  private serviceFault(stateName: string, executionName: string): Error | undefined {
    const plan = this.options.faults?.lambdaServiceErrors;
    if (plan === undefined || !plan.stateName.test(stateName)) return undefined;
    const key = `${executionName}/${stateName}`;
    const count = this.serviceFaultCounts.get(key) ?? 0;
    this.serviceFaultCounts.set(key, count + 1);
    if (count >= plan.errors.length) return undefined;
    const error = new Error('Injected by the local runner (fault plan)');
    error.name = plan.errors[count];
    return error;
  }

  /** How many Lambda service errors the fault plan injected. */
  public get injectedServiceErrors(): number {
    const plan = this.options.faults?.lambdaServiceErrors;
    if (plan === undefined) return 0;
    return [...this.serviceFaultCounts.values()].reduce((n, c) => n + Math.min(c, plan.errors.length), 0);
  }

  public get pollerStats(): { batches: number; failedInvocations: number; reportedItemFailures: number } {
    return this.pollers.reduce((s, p) => ({
      batches: s.batches + p.batches,
      failedInvocations: s.failedInvocations + p.failedInvocations,
      reportedItemFailures: s.reportedItemFailures + p.reportedItemFailures,
    }), { batches: 0, failedInvocations: 0, reportedItemFailures: 0 });
  }
}

function single<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`Local runner: expected one ${what} in the template, found ${items.length}`);
  return items[0];
}

function findId(template: CfnTemplate, resource: unknown): string {
  return Object.keys(template.Resources).find((id) => template.Resources[id] === resource)!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
