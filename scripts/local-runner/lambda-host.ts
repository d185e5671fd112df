/**
 * Runs Lambda functions locally from their bundled code, one worker thread per
 * execution environment. Each worker gets its own `process.env` (the function's
 * environment from the template plus local endpoints and fake credentials), so
 * functions never see each other's settings, and it is reused across
 * invocations the way Lambda reuses a warm container (handlers wire their
 * clients on the first call). stdout/stderr of every worker are captured.
 */
import { randomUUID } from 'crypto';
import * as path from 'path';
import { Worker } from 'worker_threads';

export interface FunctionSpec {
  /** Logical id in the template. */
  readonly logicalId: string;
  /** Local function name (what `Ref` resolves to). */
  readonly functionName: string;
  /** Absolute path of the module the `Handler` setting names (e.g. `<asset>/index.js`). */
  readonly entry: string;
  /** Exported function the `Handler` setting names (e.g. `handler`). */
  readonly handlerName: string;
  /** Complete environment of the function's workers. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Most environments run at once (the template's reserved concurrency, capped locally). */
  readonly concurrency: number;
}

export interface LogLine {
  readonly at: number;
  readonly functionName: string;
  readonly logicalId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** An error as Lambda reports it (errorType / errorMessage). */
export class LambdaInvokeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Kills an environment mid-invocation once its log shows `match` `count` times. */
export interface CrashFault {
  readonly logicalId: string;
  readonly match: RegExp;
  readonly count: number;
}

interface Pending {
  timer: NodeJS.Timeout;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Environment {
  readonly worker: Worker;
  readonly pending: Map<string, Pending>;
  busy: boolean;
  dead: boolean;
}

interface Waiter {
  readonly run: (env: Environment) => void;
}

const WORKER_FILE = path.join(__dirname, 'lambda-worker.js');

class FunctionPool {
  private readonly environments: Environment[] = [];
  private readonly waiting: Waiter[] = [];
  public invocations = 0;
  public coldStarts = 0;
  public crashes = 0;
  /** Wall-clock time of all invocations, from dispatch to answer (what Lambda bills as duration). */
  public durationMs = 0;

  constructor(readonly spec: FunctionSpec, private readonly host: LambdaHost) {}

  public invoke(event: unknown): Promise<unknown> {
    this.invocations += 1;
    return new Promise((resolve, reject) => {
      const run = (env: Environment): void => {
        const dispatched = Date.now();
        void this.dispatch(env, event).then(resolve, reject).finally(() => {
          this.durationMs += Date.now() - dispatched;
          this.release(env);
        });
      };
      const free = this.environments.find((e) => !e.busy && !e.dead);
      if (free !== undefined) {
        free.busy = true;
        run(free);
      } else if (this.environments.filter((e) => !e.dead).length < this.spec.concurrency) {
        const env = this.create();
        env.busy = true;
        run(env);
      } else {
        this.waiting.push({ run });
      }
    });
  }

  public get inFlight(): number {
    return this.environments.filter((e) => e.busy && !e.dead).length + this.waiting.length;
  }

  public async stop(): Promise<void> {
    const all = this.environments.splice(0);
    await Promise.all(all.map((env) => this.kill(env, 'Runtime.Shutdown')));
  }

  /** Terminates an environment the way a crashed runtime ends: the invocation fails, nothing is returned. */
  private crash(env: Environment): boolean {
    if (env.dead || !env.busy) return false;
    this.crashes += 1;
    void this.kill(env, 'Runtime.ExitError');
    return true;
  }

  private create(): Environment {
    this.coldStarts += 1;
    const worker = new Worker(WORKER_FILE, {
      env: { ...this.spec.environment },
      workerData: { entry: this.spec.entry, handlerName: this.spec.handlerName },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, this.spec.memoryMb) },
    });
    const env: Environment = { worker, pending: new Map(), busy: false, dead: false };
    for (const stream of ['stdout', 'stderr'] as const) {
      let buffered = '';
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.host.log(this.spec, stream, line, () => this.crash(env));
      });
      worker[stream].on('end', () => {
        if (buffered !== '') this.host.log(this.spec, stream, buffered, () => false);
      });
    }
    worker.on('message', (message: { id: string; ok: boolean; result?: unknown; error?: { name: string; message: string } }) => {
      const pending = env.pending.get(message.id);
      if (pending === undefined) return;
      env.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new LambdaInvokeError(message.error?.name ?? 'Error', message.error?.message ?? ''));
    });
    worker.on('error', (error) => this.fail(env, 'Runtime.ExitError', error.message));
    worker.on('exit', () => this.fail(env, 'Runtime.ExitError', 'Runtime exited'));
    this.environments.push(env);
    return env;
  }

  private dispatch(env: Environment, event: unknown): Promise<unknown> {
    const id = randomUUID();
    const deadlineMs = Date.now() + this.spec.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.kill(env, 'Sandbox.Timedout', `Task timed out after ${this.spec.timeoutSeconds} seconds`);
      }, this.spec.timeoutSeconds * 1000);
      env.pending.set(id, { resolve, reject, timer });
      env.worker.postMessage({
        id,
        event,
        context: {
          awsRequestId: id,
          functionName: this.spec.functionName,
          functionVersion: '$LATEST',
          memoryLimitInMB: String(this.spec.memoryMb),
          invokedFunctionArn: `local:${this.spec.functionName}`,
          logGroupName: `/aws/lambda/${this.spec.functionName}`,
          logStreamName: 'local',
          deadlineMs,
        },
      });
    });
  }

  private release(env: Environment): void {
    env.busy = false;
    if (env.dead) {
      const index = this.environments.indexOf(env);
      if (index >= 0) this.environments.splice(index, 1);
    }
    const next = this.waiting.shift();
    if (next === undefined) return;
    const free = this.environments.find((e) => !e.busy && !e.dead) ?? this.create();
    free.busy = true;
    next.run(free);
  }

  private async kill(env: Environment, errorName: string, message = 'Runtime exited without providing a reason'): Promise<void> {
    this.fail(env, errorName, message);
    await env.worker.terminate();
  }

  private fail(env: Environment, errorName: string, message: string): void {
    env.dead = true;
    for (const [id, pending] of env.pending) {
      clearTimeout(pending.timer);
      pending.reject(new LambdaInvokeError(errorName, message));
      env.pending.delete(id);
    }
  }
}

export class LambdaHost {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly crashFaults: Array<CrashFault & { seen: number; fired: boolean }> = [];

  constructor(specs: readonly FunctionSpec[], private readonly sink: (line: LogLine) => void) {
    for (const spec of specs) this.pools.set(spec.logicalId, new FunctionPool(spec, this));
  }

  public has(logicalId: string): boolean {
    return this.pools.has(logicalId);
  }

  public spec(logicalId: string): FunctionSpec {
    return this.pool(logicalId).spec;
  }

  public get specs(): FunctionSpec[] {
    return [...this.pools.values()].map((p) => p.spec);
  }

  public invoke(logicalId: string, event: unknown): Promise<unknown> {
    return this.pool(logicalId).invoke(event);
  }

  /** Crash an environment of `fault.logicalId` mid-invocation, once. */
  public addCrashFault(fault: CrashFault): void {
    this.crashFaults.push({ ...fault, seen: 0, fired: false });
  }

  public get inFlight(): number {
    return [...this.pools.values()].reduce((n, p) => n + p.inFlight, 0);
  }

  public stats(): Record<string, { invocations: number; coldStarts: number; crashes: number; durationMs: number }> {
    return Object.fromEntries([...this.pools.values()].map((p) => [p.spec.logicalId, {
      invocations: p.invocations, coldStarts: p.coldStarts, crashes: p.crashes, durationMs: p.durationMs,
    }]));
  }

  public async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }

  /** @internal called by the pools for every line a worker writes. */
  public log(spec: FunctionSpec, stream: 'stdout' | 'stderr', line: string, crash: () => boolean): void {
    this.sink({ at: Date.now(), functionName: spec.functionName, logicalId: spec.logicalId, stream, line });
    for (const fault of this.crashFaults) {
      if (fault.fired || fault.logicalId !== spec.logicalId || !fault.match.test(line)) continue;
      fault.seen += 1;
      if (fault.seen >= fault.count) {
        fault.fired = crash();
      }
    }
  }

  private pool(logicalId: string): FunctionPool {
    const pool = this.pools.get(logicalId);
    if (pool === undefined) throw new Error(`Local runner: no function ${logicalId}`);
    return pool;
  }
}
