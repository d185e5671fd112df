/**
 * The real local engines: dynalite (DynamoDB, LevelDB on disk) and s3rver (S3,
 * files on disk), on loopback. Ports are picked by the OS on first start and
 * kept across `restart()`, so clients configured once keep working, the way a
 * service endpoint outlives a server restart; committed data survives on disk.
 */
import * as fs from 'fs';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

interface S3rverInstance {
  httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: S3NotificationEvent) => void): void;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type DynaliteFactory = (options: Record<string, unknown>) => Server;

// Neither package ships type definitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as S3rverConstructor;

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

export interface EngineEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

export class LocalEngines {
  private dynamo?: Server;
  private s3?: S3rverInstance;
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
    const dynamoDir = path.join(this.dataDir, 'dynamodb');
    const s3Dir = path.join(this.dataDir, 's3');
    fs.mkdirSync(dynamoDir, { recursive: true });
    fs.mkdirSync(s3Dir, { recursive: true });
    this.dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    this.dynamoPort = await listen(this.dynamo, this.dynamoPort);
    this.s3 = new S3rver({ address: '127.0.0.1', port: this.s3Port, silent: true, directory: s3Dir, configureBuckets: [] });
    this.s3.on('event', (event) => this.onS3Event(event));
    this.s3Port = (await this.s3.run()).port;
    return this.endpoints;
  }

  /** Stops both engines (like a process kill, minus the lost writes: the engines flush what they acknowledged). */
  public async stop(): Promise<void> {
    const dynamo = this.dynamo;
    const s3 = this.s3;
    this.dynamo = undefined;
    this.s3 = undefined;
    if (dynamo !== undefined) await closeServer(dynamo);
    if (s3 !== undefined) {
      s3.httpServer?.closeAllConnections?.();
      await s3.close();
    }
  }

  public async restart(): Promise<EngineEndpoints> {
    await this.stop();
    return this.start();
  }
}
