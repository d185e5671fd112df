/**
 * Executes the state machine definition taken from the synthesized template
 * with aws-local-stepfunctions. Every Task state is mapped by its Resource:
 *   - a Lambda function ARN (LambdaInvoke with payloadResponseOnly) or
 *     `states:::lambda:invoke` -> that function's bundled handler;
 *   - `states:::events:putEvents[.waitForTaskToken]` -> the local event bus,
 *     and for the token variant a local review desk that answers the token
 *     (auto-approve stand-in by default, labelled as such);
 *   - `states:::states:startExecution.sync:2` -> an execution of another local
 *     state machine (the re-analysis starting the analysis workflow), awaited.
 * A Task with any other Resource makes the runner refuse to start, so a new
 * integration cannot silently run as a no-op. Distributed Maps run through
 * distributed-map.ts. Every execution that ends emits the "Step Functions
 * Execution Status Change" event EventBridge would.
 */
import { randomUUID } from 'crypto';
import type { ExecutionDescription, PutEventsEntry } from './aws-stand-ins';
import { ServiceError } from './aws-stand-ins';
import { DistributedMapState, isDistributedMap, LocalDistributedMap, localizeDistributedMap, runDistributedMap } from './distributed-map';

/** The part of aws-local-stepfunctions' API the runner uses (its types are ESM-only; `require` loads the CommonJS build). */
interface LocalEvent {
  readonly type: string;
  readonly state?: { readonly name?: string; readonly input?: unknown; readonly output?: unknown };
}
interface LocalExecution {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncIterable<LocalEvent>;
  abort(): void;
}
interface LocalStateMachine {
  run(input: unknown, options: Record<string, unknown>): LocalExecution;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (definition: unknown, options?: Record<string, unknown>) => LocalStateMachine;
};

type Definition = { StartAt: string; States: Record<string, StateJson>; TimeoutSeconds?: number };
interface StateJson {
  readonly Type: string;
  readonly Resource?: string;
  readonly Branches?: Definition[];
  readonly Iterator?: Definition;
  readonly ItemProcessor?: Definition;
  readonly Retry?: unknown[];
}

/** Every state machine of the definition (the top level, Parallel branches, Map item processors). */
function machinesOf(definition: Definition): Definition[] {
  return [definition, ...Object.values(definition.States).flatMap((state) =>
    [...state.Branches ?? [], ...state.Iterator ? [state.Iterator] : [], ...state.ItemProcessor ? [state.ItemProcessor] : []].flatMap(machinesOf))];
}

/** A copy of the definition with each Distributed Map replaced by its local Task (see distributed-map.ts). */
export function localizeDefinition(definition: Definition): { definition: Definition; maps: Map<string, LocalDistributedMap> } {
  const copy = JSON.parse(JSON.stringify(definition)) as Definition;
  const maps = new Map<string, LocalDistributedMap>();
  for (const machine of machinesOf(copy)) {
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isDistributedMap(state as never)) continue;
      const local = localizeDistributedMap(name, state as unknown as DistributedMapState);
      (machine.States as Record<string, unknown>)[name] = local.task;
      maps.set(name, local.map);
    }
  }
  return { definition: copy, maps };
}

export type TaskKind = 'lambda' | 'lambda-invoke' | 'lambda-invoke-wait' | 'events-put' | 'events-put-wait' | 'start-execution-sync';

export interface TaskMapping {
  readonly stateName: string;
  readonly resource: string;
  readonly kind: TaskKind;
  /** Function logical id for `lambda` tasks. */
  readonly functionLogicalId?: string;
}

/** Walks every Task state (branches and map processors included) and maps its Resource. */
export function mapTaskStates(definition: Definition, functionByArn: (arn: string) => string | undefined): TaskMapping[] {
  const mappings: TaskMapping[] = [];
  const walk = (machine: Definition) => {
    for (const [stateName, state] of Object.entries(machine.States)) {
      for (const child of [...state.Branches ?? [], ...state.Iterator ? [state.Iterator] : [], ...state.ItemProcessor ? [state.ItemProcessor] : []]) {
        walk(child);
      }
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      const fn = functionByArn(resource);
      if (fn !== undefined) {
        mappings.push({ stateName, resource, kind: 'lambda', functionLogicalId: fn });
      } else if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'lambda-invoke' });
      } else if (/^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'lambda-invoke-wait' });
      } else if (/^arn:[^:]+:states:::events:putEvents\.waitForTaskToken$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'events-put-wait' });
      } else if (/^arn:[^:]+:states:::events:putEvents$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'events-put' });
      } else if (/^arn:[^:]+:states:::states:startExecution\.sync:2$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'start-execution-sync' });
      } else {
        throw new Error(`Local runner: Task state '${stateName}' uses ${resource}, which has no local mapping`);
      }
    }
  };
  walk(definition);
  return mappings;
}

export type ReviewMode = 'approve' | 'reject' | 'timeout' | 'manual';

export interface ReviewPolicy {
  /**
   * How the local review desk answers a task token: `approve` / `reject` as a
   * clinician would (through the review API when the template has one, see
   * `LocalWorkflowOptions.decide`; else SendTaskSuccess), `timeout` as if
   * nobody answered within the state's TimeoutSeconds (the States.Timeout
   * error, without the wait), `manual` waits for a decision or `sendTaskSuccess`.
   */
  readonly mode: ReviewMode;
  /** @default 100 */
  readonly delayMs?: number;
}

/** Pseudonymous id the review stand-in answers with when it answers the token itself (no review API). */
export const LOCAL_REVIEWER = 'local-review-stand-in';

/** A decision the local review desk takes on a held study version. */
export interface ReviewDeskDecision {
  readonly studyKey: string;
  readonly version: number;
  readonly decision: 'APPROVE' | 'REJECT';
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly input: string;
  readonly startedAt: number;
  status: ExecutionStatus;
  endedAt?: number;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Names of the states entered, in order. */
  readonly statesEntered: string[];
  /** Retries per state name. */
  readonly retries: Record<string, number>;
  /** Task tokens this execution handed out. */
  readonly taskTokens: string[];
  /** Largest state input or output seen (bytes of JSON), child executions of Distributed Maps included. */
  largestStatePayloadBytes: number;
  /** Child executions Distributed Maps ran. */
  childExecutions: number;
  abort?: () => void;
  done: Promise<void>;
}

export interface LocalWorkflowOptions {
  readonly stateMachineArn: string;
  readonly definition: Definition;
  readonly mappings: readonly TaskMapping[];
  readonly invokeFunction: (logicalId: string, payload: unknown) => Promise<unknown>;
  readonly functionByName: (nameOrArn: string) => string | undefined;
  readonly putEvents: (entries: PutEventsEntry[]) => string[];
  readonly review: ReviewPolicy;
  /** Fault injection: an error the Lambda *service* returns before the function runs (throttling etc.). */
  readonly lambdaServiceFault?: (stateName: string, functionLogicalId: string, executionName: string) => Error | undefined;
  /** Reads an S3 object (a Distributed Map's items). */
  readonly readObject: (bucket: string, key: string) => Promise<Buffer>;
  /**
   * Waits between retries, in place of the definition's IntervalSeconds/backoff
   * (a local run compresses time as it does for the quiet period).
   * @default - the definition's intervals
   */
  readonly retryIntervalMs?: number;
  /**
   * Takes the review desk's decision the way a clinician does, through the
   * review API (which reads the token from the table and resumes the
   * execution); it rejects when the API refuses. The desk then fails the task
   * (LocalReviewDesk.DecisionRefused) so a refusal cannot leave an execution waiting.
   * @default - the desk answers the token itself with SendTaskSuccess
   */
  readonly decide?: (decision: ReviewDeskDecision) => Promise<void>;
  /**
   * `states:startExecution.sync:2`: starts another state machine's execution and
   * resolves with its DescribeExecution output once it ends (rejects with
   * `States.TaskFailed` when it did not succeed).
   * @default - a definition with such a task is refused
   */
  readonly startExecutionSync?: (request: { StateMachineArn: string; Name?: string; Input?: unknown }) => Promise<unknown>;
}

interface TokenWaiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly execution: ExecutionRecord;
}

export class LocalWorkflow {
  public readonly executions = new Map<string, ExecutionRecord>();
  private readonly machine: LocalStateMachine;
  private readonly tokens = new Map<string, TokenWaiter>();

  private readonly distributedMaps: Map<string, LocalDistributedMap>;
  private readonly retryIntervalOverrides: Record<string, number>;

  /** The state machine this runs. */
  public get stateMachineArn(): string {
    return this.options.stateMachineArn;
  }

  constructor(private readonly options: LocalWorkflowOptions) {
    // Validates the definition (ARNs and paths) exactly as given, then runs its local form.
    new StateMachine(options.definition);
    const local = localizeDefinition(options.definition);
    this.machine = new StateMachine(local.definition);
    this.distributedMaps = local.maps;
    this.retryIntervalOverrides = {};
    if (options.retryIntervalMs !== undefined) {
      for (const machine of machinesOf(local.definition)) {
        for (const [name, state] of Object.entries(machine.States)) {
          if (state.Retry !== undefined) this.retryIntervalOverrides[name] = options.retryIntervalMs;
        }
      }
    }
  }

  /** DescribeExecution. */
  public describe(executionArn: string): ExecutionDescription {
    const record = [...this.executions.values()].find((e) => e.executionArn === executionArn);
    if (record === undefined) throw new ServiceError('ExecutionDoesNotExist', 'Execution Does Not Exist');
    return {
      executionArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startedAt),
      ...(record.endedAt === undefined ? {} : { stopDate: new Date(record.endedAt) }),
      input: record.input,
      ...(record.error === undefined ? {} : { error: record.error }),
    };
  }

  /** Stops a running execution, as StopExecution would (the status change event follows). */
  public abortExecution(name: string): void {
    const record = this.executions.get(name);
    if (record?.status !== 'RUNNING' || record.abort === undefined) throw new ServiceError('ExecutionDoesNotExist', 'Execution is not running');
    record.abort();
  }

  /** Largest state payload any execution saw. */
  public get largestStatePayloadBytes(): number {
    return Math.max(0, ...[...this.executions.values()].map((e) => e.largestStatePayloadBytes));
  }

  public get running(): number {
    return [...this.executions.values()].filter((e) => e.status === 'RUNNING').length;
  }

  /** StartExecution semantics of a Standard workflow: a name is used once (same input while running is idempotent). */
  public start(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    if (request.stateMachineArn !== this.options.stateMachineArn) {
      throw new ServiceError('StateMachineDoesNotExist', 'State Machine Does Not Exist');
    }
    const name = request.name ?? randomUUID();
    const input = request.input ?? '{}';
    const existing = this.executions.get(name);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn: existing.executionArn, startDate: new Date(existing.startedAt) };
      }
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const executionArn = `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const record: ExecutionRecord = {
      name,
      executionArn,
      input,
      startedAt: Date.now(),
      status: 'RUNNING',
      statesEntered: [],
      retries: {},
      taskTokens: [],
      largestStatePayloadBytes: 0,
      childExecutions: 0,
      done: Promise.resolve(),
    };
    this.executions.set(name, record);
    record.done = this.run(record);
    return { executionArn, startDate: new Date(record.startedAt) };
  }

  public sendTaskSuccess(token: string, output: string): void {
    const waiter = this.takeToken(token);
    waiter.resolve(JSON.parse(output));
  }

  public sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    const waiter = this.takeToken(token);
    const failure = new Error(cause);
    failure.name = error;
    waiter.reject(failure);
  }

  /** Tokens waiting for an answer (manual review). */
  public get openTokens(): string[] {
    return [...this.tokens.keys()];
  }

  public async stop(): Promise<void> {
    for (const record of this.executions.values()) record.abort?.();
    for (const [token, waiter] of this.tokens) {
      this.tokens.delete(token);
      const error = new Error('Runner stopped');
      error.name = 'States.Runtime';
      waiter.reject(error);
    }
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  private takeToken(token: string): TokenWaiter {
    const waiter = this.tokens.get(token);
    if (waiter === undefined) throw new ServiceError('TaskDoesNotExist', 'Task does not exist anymore');
    this.tokens.delete(token);
    return waiter;
  }

  private async run(record: ExecutionRecord): Promise<void> {
    const taskToken = `local-token-${randomUUID()}`;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const mapping of this.options.mappings) {
      handlers[mapping.stateName] = (input) => this.runTask(mapping, input, record, taskToken);
    }
    const context = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        Input: JSON.parse(record.input),
        StartTime: new Date(record.startedAt).toISOString(),
        RoleArn: 'local',
      },
      StateMachine: { Id: this.options.stateMachineArn, Name: this.options.stateMachineArn.split(':').pop() },
      // One token per execution: the definition has at most one waiting state on any path.
      Task: { Token: taskToken },
    };
    const runOptions = {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: this.retryIntervalOverrides },
      noThrowOnAbort: true,
      context,
    };
    const collectors: Promise<void>[] = [];
    const observe = (execution: LocalExecution) => collectors.push((async () => {
      for await (const event of execution.eventLogs) this.observeEvent(record, event);
    })().catch(() => undefined));
    for (const [stateName, map] of this.distributedMaps) {
      handlers[stateName] = async (parameters) => (await runDistributedMap(
        map,
        parameters as { reader: { Bucket: string; Key: string }; mapInput: unknown },
        async (bucket, key) => JSON.parse((await this.options.readObject(bucket, key)).toString('utf8')),
        (input) => {
          record.childExecutions += 1;
          const child = new StateMachine(map.itemProcessor, { validationOptions: { noValidate: true } }).run(input, runOptions);
          observe(child);
          return child;
        },
      )).output;
    }
    const execution = this.machine.run(JSON.parse(record.input), runOptions);
    record.abort = () => execution.abort();
    observe(execution);
    try {
      const output = await execution.result;
      record.output = output;
      record.status = output === null ? 'ABORTED' : 'SUCCEEDED';
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      record.status = error instanceof Error && error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      record.error = cause instanceof Error ? cause.name : 'Error';
      record.cause = cause instanceof Error ? cause.message : String(cause);
    } finally {
      record.endedAt = Date.now();
      record.abort = undefined;
      await Promise.all(collectors);
      this.announceEnd(record);
    }
  }

  private observeEvent(record: ExecutionRecord, event: LocalEvent): void {
    const state = event.state;
    if (state?.name === undefined) return;
    if (event.type === 'StateEntered') record.statesEntered.push(state.name);
    if (event.type === 'StateRetried') record.retries[state.name] = (record.retries[state.name] ?? 0) + 1;
    for (const payload of [state.input, state.output]) {
      if (payload === undefined) continue;
      record.largestStatePayloadBytes = Math.max(record.largestStatePayloadBytes, Buffer.byteLength(JSON.stringify(payload)));
    }
  }

  /** The "Step Functions Execution Status Change" event Step Functions sends to the default bus. */
  private announceEnd(record: ExecutionRecord): void {
    this.options.putEvents([{
      EventBusName: 'default',
      Source: 'aws.states',
      DetailType: 'Step Functions Execution Status Change',
      Resources: [record.executionArn],
      Detail: JSON.stringify({
        executionArn: record.executionArn,
        stateMachineArn: this.options.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: record.startedAt,
        stopDate: record.endedAt,
        input: record.input,
        output: record.status === 'SUCCEEDED' ? JSON.stringify(record.output) : null,
        error: record.error ?? null,
        cause: null,
      }),
    }]);
  }

  private async runTask(mapping: TaskMapping, input: unknown, record: ExecutionRecord, taskToken: string): Promise<unknown> {
    switch (mapping.kind) {
      case 'lambda': {
        const fn = mapping.functionLogicalId!;
        const fault = this.options.lambdaServiceFault?.(mapping.stateName, fn, record.name);
        if (fault !== undefined) throw fault;
        return this.options.invokeFunction(fn, input);
      }
      case 'lambda-invoke': {
        const request = input as { FunctionName: string; Payload?: unknown };
        const fn = this.options.functionByName(request.FunctionName);
        if (fn === undefined) throw new Error(`Local runner: no function ${request.FunctionName}`);
        const fault = this.options.lambdaServiceFault?.(mapping.stateName, fn, record.name);
        if (fault !== undefined) throw fault;
        const payload = await this.options.invokeFunction(fn, request.Payload ?? {});
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      }
      case 'lambda-invoke-wait': {
        // The function receives the task token (and stores it where the review API finds it).
        const request = input as { FunctionName: string; Payload?: unknown };
        const fn = this.options.functionByName(request.FunctionName);
        if (fn === undefined) throw new Error(`Local runner: no function ${request.FunctionName}`);
        const answer = this.waitForToken(taskToken, record);
        await this.options.invokeFunction(fn, request.Payload ?? {}).catch((error: Error) => {
          this.tokens.get(taskToken)?.reject(error);
          this.tokens.delete(taskToken);
        });
        this.answerReview(taskToken, request.Payload);
        return answer;
      }
      case 'start-execution-sync': {
        if (this.options.startExecutionSync === undefined) throw new Error(`Local runner: no state machine to start for '${mapping.stateName}'`);
        return this.options.startExecutionSync(input as { StateMachineArn: string; Name?: string; Input?: unknown });
      }
      case 'events-put': {
        const entries = (input as { Entries: PutEventsEntry[] }).Entries.map(stringifyDetail);
        const ids = this.options.putEvents(entries);
        return { Entries: ids.map((EventId) => ({ EventId })), FailedEntryCount: 0 };
      }
      case 'events-put-wait': {
        const entries = (input as { Entries: PutEventsEntry[] }).Entries.map(stringifyDetail);
        const answer = this.waitForToken(taskToken, record);
        this.options.putEvents(entries);
        this.answerReview(taskToken);
        return answer;
      }
    }
  }

  private waitForToken(taskToken: string, record: ExecutionRecord): Promise<unknown> {
    record.taskTokens.push(taskToken);
    return new Promise<unknown>((resolve, reject) => {
      this.tokens.set(taskToken, { resolve, reject, execution: record });
    });
  }

  private answerReview(token: string, payload?: unknown): void {
    const { mode, delayMs = 100 } = this.options.review;
    if (mode === 'manual') return;
    setTimeout(() => {
      if (!this.tokens.has(token)) return;
      if (mode === 'timeout') {
        const waiter = this.takeToken(token);
        const error = new Error('Task timed out (local review stand-in: nobody answered)');
        error.name = 'States.Timeout';
        waiter.reject(error);
        return;
      }
      const held = payload as { studyKey?: unknown; version?: unknown } | undefined;
      if (this.options.decide !== undefined && typeof held?.studyKey === 'string' && typeof held.version === 'number') {
        const decision = { studyKey: held.studyKey, version: held.version, decision: mode === 'approve' ? 'APPROVE' as const : 'REJECT' as const };
        this.options.decide(decision).catch((error: Error) => {
          if (this.tokens.has(token)) this.sendTaskFailure(token, 'LocalReviewDesk.DecisionRefused', error.message);
        });
        return;
      }
      this.sendTaskSuccess(token, JSON.stringify({
        decision: mode === 'approve' ? 'APPROVED' : 'REJECTED', reviewer: LOCAL_REVIEWER, decidedAt: new Date().toISOString(),
      }));
    }, delayMs);
  }
}

/** The service serialises `Detail` (an object in the state) to a JSON string. */
function stringifyDetail(entry: PutEventsEntry | (Omit<PutEventsEntry, 'Detail'> & { Detail?: unknown })): PutEventsEntry {
  return { ...entry, Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail ?? {}) } as PutEventsEntry;
}
