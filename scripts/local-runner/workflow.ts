/**
 * Executes the state machine definition taken from the synthesized template
 * with aws-local-stepfunctions. Every Task state is mapped by its Resource:
 *   - a Lambda function ARN (LambdaInvoke with payloadResponseOnly) or
 *     `states:::lambda:invoke` -> that function's bundled handler;
 *   - `states:::events:putEvents[.waitForTaskToken]` -> the local event bus,
 *     and for the token variant a local review desk that answers the token
 *     (auto-approve stand-in by default, labelled as such).
 * A Task with any other Resource makes the runner refuse to start, so a new
 * integration cannot silently run as a no-op.
 */
import { randomUUID } from 'crypto';
import type { PutEventsEntry } from './aws-stand-ins';
import { ServiceError } from './aws-stand-ins';

/** The part of aws-local-stepfunctions' API the runner uses (its types are ESM-only; `require` loads the CommonJS build). */
interface LocalExecution {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncIterable<{ type: string; state?: { name?: string } }>;
  abort(): void;
}
interface LocalStateMachine {
  run(input: unknown, options: Record<string, unknown>): LocalExecution;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as { StateMachine: new (definition: unknown) => LocalStateMachine };

type Definition = { StartAt: string; States: Record<string, StateJson>; TimeoutSeconds?: number };
interface StateJson {
  readonly Type: string;
  readonly Resource?: string;
  readonly Branches?: Definition[];
  readonly Iterator?: Definition;
  readonly ItemProcessor?: Definition;
}

export type TaskKind = 'lambda' | 'lambda-invoke' | 'events-put' | 'events-put-wait';

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
      } else if (/^arn:[^:]+:states:::events:putEvents\.waitForTaskToken$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'events-put-wait' });
      } else if (/^arn:[^:]+:states:::events:putEvents$/.test(resource)) {
        mappings.push({ stateName, resource, kind: 'events-put' });
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
   * clinician would (SendTaskSuccess), `timeout` as if nobody answered within
   * the state's TimeoutSeconds (the States.Timeout error, without the wait),
   * `manual` waits for `sendTaskSuccess`.
   */
  readonly mode: ReviewMode;
  /** @default 100 */
  readonly delayMs?: number;
}

/** Pseudonymous id the review stand-in answers with. */
export const LOCAL_REVIEWER = 'local-review-stand-in';

export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly input: string;
  readonly startedAt: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
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

  constructor(private readonly options: LocalWorkflowOptions) {
    // Validates the definition (ARNs and paths) exactly as given.
    this.machine = new StateMachine(options.definition);
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
      name, executionArn, input, startedAt: Date.now(), status: 'RUNNING', statesEntered: [], retries: {}, taskTokens: [], done: Promise.resolve(),
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
    const execution = this.machine.run(JSON.parse(record.input), {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
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
      },
    });
    record.abort = () => execution.abort();
    const collectEvents = (async () => {
      for await (const event of execution.eventLogs) {
        const state = event.state?.name;
        if (event.type === 'StateEntered' && state !== undefined) record.statesEntered.push(state);
        if (event.type === 'StateRetried' && state !== undefined) record.retries[state] = (record.retries[state] ?? 0) + 1;
      }
    })().catch(() => undefined);
    try {
      const output = await execution.result;
      record.output = output;
      record.status = output === null ? 'ABORTED' : 'SUCCEEDED';
    } catch (error) {
      record.status = 'FAILED';
      record.error = error instanceof Error ? error.name : 'Error';
      record.cause = error instanceof Error ? error.message : String(error);
    } finally {
      record.endedAt = Date.now();
      record.abort = undefined;
      await collectEvents;
    }
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
      case 'events-put': {
        const entries = (input as { Entries: PutEventsEntry[] }).Entries.map(stringifyDetail);
        const ids = this.options.putEvents(entries);
        return { Entries: ids.map((EventId) => ({ EventId })), FailedEntryCount: 0 };
      }
      case 'events-put-wait': {
        const entries = (input as { Entries: PutEventsEntry[] }).Entries.map(stringifyDetail);
        const answer = new Promise<unknown>((resolve, reject) => {
          this.tokens.set(taskToken, { resolve, reject, execution: record });
        });
        record.taskTokens.push(taskToken);
        this.options.putEvents(entries);
        this.answerReview(taskToken);
        return answer;
      }
    }
  }

  private answerReview(token: string): void {
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
      this.sendTaskSuccess(token, JSON.stringify({ decision: mode === 'approve' ? 'APPROVED' : 'REJECTED', reviewer: LOCAL_REVIEWER }));
    }, delayMs);
  }
}

/** The service serialises `Detail` (an object in the state) to a JSON string. */
function stringifyDetail(entry: PutEventsEntry | (Omit<PutEventsEntry, 'Detail'> & { Detail?: unknown })): PutEventsEntry {
  return { ...entry, Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail ?? {}) } as PutEventsEntry;
}
