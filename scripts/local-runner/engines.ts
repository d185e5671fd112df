/**
 * The real local engines: dynalite (DynamoDB, LevelDB on disk) and s3rver (S3,
 * files on disk), on loopback. Ports are picked by the OS on first start and
 * kept across `restart()`, so clients configured once keep working, the way a
 * service endpoint outlives a server restart; committed data survives on disk.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';

/** The S3 notification s3rver emits for every object operation. */
export interface S3NotificationEvent {
  readonly Records: Array<{
    readonly eventName: string;
    readonly eventTime: string;
    readonly s3: {
      readonly bucket: { readonly name: string };
      readonly object: { readonly key: string; readonly size?: number; readonly eTag?: string; readonly sequencer?: string };
    };
  }>;
}

// s3rver accepts only its own well-known fake key pair; dynalite and the stand-ins accept any.
export const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** What the runner's own clients send as user agent, so the engines leave their requests out of the counts. */
export const HARNESS_USER_AGENT = 'local-runner-harness';

/** Requests served by operation (DynamoDB: PutItem, Query, ...; S3: PutObject, GetObject, CopyObject, ...). */
export interface EngineRequestCounts {
  readonly dynamodb: Record<string, number>;
  readonly s3: Record<string, number>;
}

export interface EngineEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
}

type EngineName = 'dynamodb' | 's3';
type EngineReply =
  | { readonly type: 'started'; readonly port: number }
  | { readonly type: 'stopped' | 'flushed' }
  | { readonly type: 'counts'; readonly counts: Record<string, number> }
  | { readonly type: 's3-event'; readonly event: S3NotificationEvent }
  | { readonly type: 'error'; readonly message: string };

/** One engine in a worker thread (`engine-thread.js`): requests are answered in order. */
class EngineThread {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (reply: EngineReply) => void; reject: (error: Error) => void }> = [];

  constructor(engine: EngineName, dataDir: string, onS3Event: (event: S3NotificationEvent) => void) {
    this.worker = new Worker(path.join(__dirname, 'engine-thread.js'), { workerData: { engine, dataDir } });
    this.worker.on('message', (reply: EngineReply) => {
      if (reply.type === 's3-event') return onS3Event(reply.event);
      const next = this.waiting.shift();
      if (reply.type === 'error') next?.reject(new Error(`local ${engine} engine: ${reply.message}`));
      else next?.resolve(reply);
    });
    this.worker.on('error', (error) => this.waiting.splice(0).forEach((w) => w.reject(error)));
  }

  public request(message: { type: 'start'; port: number } | { type: 'stop' | 'flush' } | { type: 'counts'; reset: boolean }): Promise<EngineReply> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  public async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * dynalite and s3rver, each in a thread of its own (they are the busiest parts of a
 * local run; on the main thread they would leave the other cores idle).
 */
export class LocalEngines {
  private dynamo?: EngineThread;
  private s3?: EngineThread;
  private dynamoPort = 0;
  private s3Port = 0;

  /**
   * @param dataDir where both engines keep their data (`dynamodb/`, `s3/`)
   * @param onS3Event called for every object operation s3rver performs
   */
  constructor(private readonly dataDir: string, private readonly onS3Event: (event: S3NotificationEvent) => void) {}

  public get endpoints(): EngineEndpoints {
    return { dynamodb: `http://127.0.0.1:${this.dynamoPort}`, s3: `http://127.0.0.1:${this.s3Port}` };
  }

  public get running(): boolean {
    return this.dynamo !== undefined;
  }

  public async start(): Promise<EngineEndpoints> {
    const portOf = (reply: EngineReply) => (reply.type === 'started' ? reply.port : 0);
    this.dynamo = new EngineThread('dynamodb', path.join(this.dataDir, 'dynamodb'), () => undefined);
    this.s3 = new EngineThread('s3', path.join(this.dataDir, 's3'), this.onS3Event);
    const [dynamoPort, s3Port] = await Promise.all([
      this.dynamo.request({ type: 'start', port: this.dynamoPort }).then(portOf),
      this.s3.request({ type: 'start', port: this.s3Port }).then(portOf),
    ]);
    this.dynamoPort = dynamoPort;
    this.s3Port = s3Port;
    return this.endpoints;
  }

  /**
   * Resolves once every S3 notification of the requests answered so far has been
   * handed to `onS3Event` (s3rver emits it before it answers; the thread's messages keep their order).
   */
  public async flushS3Events(): Promise<void> {
    await this.s3?.request({ type: 'flush' });
  }

  /**
   * Requests each engine served since it started (or since the last `reset`), by operation,
   * leaving out the runner's own (uploads, scans, reads: see HARNESS_USER_AGENT).
   */
  public async requestCounts(reset = false): Promise<EngineRequestCounts> {
    const countsOf = async (thread?: EngineThread) => {
      const reply = await thread?.request({ type: 'counts', reset });
      return reply?.type === 'counts' ? reply.counts : {};
    };
    const [dynamodb, s3] = await Promise.all([countsOf(this.dynamo), countsOf(this.s3)]);
    return { dynamodb, s3 };
  }

  /** Stops both engines (like a process kill, minus the lost writes: the engines flush what they acknowledged). */
  public async stop(): Promise<void> {
    const threads = [this.dynamo, this.s3].filter((t): t is EngineThread => t !== undefined);
    this.dynamo = undefined;
    this.s3 = undefined;
    await Promise.all(threads.map(async (thread) => {
      await thread.request({ type: 'stop' });
      await thread.terminate();
    }));
  }

  public async restart(): Promise<EngineEndpoints> {
    await this.stop();
    return this.start();
  }
}
