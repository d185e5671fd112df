/**
 * One loopback HTTP endpoint speaking just the AWS APIs the handlers call and
 * no local engine exists for: EventBridge PutEvents, SNS Publish, Step
 * Functions StartExecution / DescribeExecution / SendTaskSuccess / SendTaskFailure, Secrets
 * Manager GetSecretValue, SQS SendMessage(Batch) into the local queues, and the analyzers' AI services (Rekognition, Bedrock
 * Runtime, SageMaker Runtime: ai-stand-ins.ts). Handlers reach it through the SDK's
 * service-specific endpoint variables (AWS_ENDPOINT_URL_EVENTBRIDGE, ...), so
 * the real SDK clients, serializers and error handling run unchanged.
 */
import { createHash, randomUUID } from 'crypto';
import * as http from 'http';
import * as http2 from 'http2';
import * as net from 'net';
import type { AddressInfo } from 'net';
import { AiStandIns } from './ai-stand-ins';

export interface PutEventsEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: string[];
}

/** A modelled service error (the SDK turns it into the exception of that name). */
export class ServiceError extends Error {
  constructor(name: string, message: string, readonly status = 400) {
    super(message);
    this.name = name;
  }
}

/** What DescribeExecution answers. */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: string;
  readonly error?: string;
}

export interface StandInBackends {
  putEvents(entries: PutEventsEntry[]): string[];
  publish(message: { topicArn: string; subject?: string; message: string }): string;
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date };
  describeExecution(executionArn: string): ExecutionDescription;
  sendTaskSuccess(token: string, output: string): void;
  sendTaskFailure(token: string, error?: string, cause?: string): void;
  getSecretValue(secretId: string): { arn: string; name: string; secretString: string };
  /** Appends messages to a local queue (by its URL); throws for an unknown queue. */
  sendMessages(queueUrl: string, bodies: string[]): void;
  /** Writes an object (an asynchronous SageMaker endpoint's answer); async invocations are refused without it. */
  putObject?(bucket: string, key: string, body: string): Promise<void>;
}

export class AwsStandIns {
  private server?: http.Server;
  private h2c?: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private port = 0;
  private h2cPort = 0;

  /** The AI-service stand-ins, with every call they answered. */
  public readonly ai: AiStandIns;

  constructor(private readonly backends: StandInBackends) {
    this.ai = new AiStandIns({ writeObject: backends.putObject?.bind(backends) });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The same stand-ins over cleartext HTTP/2, for the Bedrock Runtime client. */
  public get http2Endpoint(): string {
    return `http://127.0.0.1:${this.h2cPort}`;
  }

  /** The endpoint variables a handler's environment needs to reach these stand-ins. */
  public get endpointEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_EVENTBRIDGE: this.endpoint,
      AWS_ENDPOINT_URL_SNS: this.endpoint,
      AWS_ENDPOINT_URL_SFN: this.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoint,
      AWS_ENDPOINT_URL_SQS: this.endpoint,
      AWS_ENDPOINT_URL_REKOGNITION: this.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: this.http2Endpoint,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: this.endpoint,
    };
  }

  public async start(): Promise<void> {
    const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
        // The AI services' bodies may be binary (SageMaker takes the image itself).
        if (AiStandIns.handles(request)) {
          void this.ai.respond(request).then((answer) => {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          });
          return;
        }
        this.handle(req as http.IncomingMessage, body.toString('utf8'), res as http.ServerResponse);
      });
    };
    // The Bedrock Runtime client speaks HTTP/2 (cleartext, with prior knowledge, as its
    // streaming operations need), every other client HTTP/1.1: one listener each.
    const server = http.createServer(onRequest);
    const h2c = http2.createServer();
    h2c.on('request', onRequest);
    h2c.on('session', (session) => this.sessions.add(session.on('close', () => this.sessions.delete(session))));
    this.server = server;
    this.h2c = h2c;
    const listen = (s: net.Server, port: number) => new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
    this.port = await listen(server, this.port);
    this.h2cPort = await listen(h2c, this.h2cPort);
  }

  public async stop(): Promise<void> {
    const server = this.server;
    const h2c = this.h2c;
    this.server = undefined;
    this.h2c = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    for (const session of this.sessions) session.destroy();
    await Promise.all([
      new Promise<void>((resolve) => server.close(() => resolve())),
      new Promise<void>((resolve) => (h2c === undefined ? resolve() : h2c.close(() => resolve()))),
    ]);
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    try {
      if (target.startsWith('AWSEvents.')) return this.json(res, '1.1', this.events(target.slice('AWSEvents.'.length), JSON.parse(body)));
      if (target.startsWith('AWSStepFunctions.')) return this.json(res, '1.0', this.stepFunctions(target.slice('AWSStepFunctions.'.length), JSON.parse(body)));
      if (target.startsWith('secretsmanager.')) return this.json(res, '1.1', this.secrets(target.slice('secretsmanager.'.length), JSON.parse(body)));
      if (target.startsWith('AmazonSQS.')) return this.json(res, '1.0', this.sqs(target.slice('AmazonSQS.'.length), JSON.parse(body)));
      const form = new URLSearchParams(body);
      if (form.get('Action') !== null) return this.sns(form, res);
      throw new ServiceError('UnknownOperationException', `The local stand-in does not implement ${target || 'this request'}`);
    } catch (error) {
      const e = error instanceof ServiceError ? error : new ServiceError('InternalFailure', error instanceof Error ? error.message : String(error), 500);
      if (target === '' && new URLSearchParams(body).get('Action') !== null) {
        res.writeHead(e.status, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${e.name}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
        return;
      }
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': e.name });
      res.end(JSON.stringify({ __type: e.name, message: e.message }));
    }
  }

  private json(res: http.ServerResponse, version: string, payload: unknown): void {
    res.writeHead(200, { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(payload));
  }

  private events(operation: string, request: { Entries?: PutEventsEntry[] }): unknown {
    if (operation !== 'PutEvents') throw new ServiceError('UnknownOperationException', `EventBridge ${operation} is not implemented locally`);
    const ids = this.backends.putEvents(request.Entries ?? []);
    return { FailedEntryCount: 0, Entries: ids.map((EventId) => ({ EventId })) };
  }

  private stepFunctions(operation: string, request: Record<string, string>): unknown {
    switch (operation) {
      case 'StartExecution': {
        const started = this.backends.startExecution({ stateMachineArn: request.stateMachineArn, name: request.name, input: request.input });
        return { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 };
      }
      case 'DescribeExecution': {
        const e = this.backends.describeExecution(request.executionArn);
        return {
          executionArn: e.executionArn,
          stateMachineArn: e.executionArn.replace(':execution:', ':stateMachine:').split(':').slice(0, -1).join(':'),
          name: e.name,
          status: e.status,
          startDate: e.startDate.getTime() / 1000,
          ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate.getTime() / 1000 }),
          input: e.input,
          ...(e.error === undefined ? {} : { error: e.error }),
        };
      }
      case 'SendTaskSuccess':
        this.backends.sendTaskSuccess(request.taskToken, request.output);
        return {};
      case 'SendTaskFailure':
        this.backends.sendTaskFailure(request.taskToken, request.error, request.cause);
        return {};
      default:
        throw new ServiceError('UnknownOperationException', `Step Functions ${operation} is not implemented locally`);
    }
  }

  private secrets(operation: string, request: { SecretId: string }): unknown {
    if (operation !== 'GetSecretValue') throw new ServiceError('UnknownOperationException', `Secrets Manager ${operation} is not implemented locally`);
    const secret = this.backends.getSecretValue(request.SecretId);
    return { ARN: secret.arn, Name: secret.name, SecretString: secret.secretString, VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: 0 };
  }

  /** The SDK checks each MD5OfMessageBody against what it sent, as with the real service. */
  private sqs(operation: string, request: { QueueUrl: string; MessageBody?: string; Entries?: Array<{ Id: string; MessageBody: string }> }): unknown {
    const md5 = (body: string) => createHash('md5').update(body, 'utf8').digest('hex');
    if (operation === 'SendMessage') {
      this.backends.sendMessages(request.QueueUrl, [request.MessageBody ?? '']);
      return { MessageId: randomUUID(), MD5OfMessageBody: md5(request.MessageBody ?? '') };
    }
    if (operation !== 'SendMessageBatch') throw new ServiceError('UnsupportedOperation', `SQS ${operation} is not implemented locally`);
    const entries = request.Entries ?? [];
    this.backends.sendMessages(request.QueueUrl, entries.map((entry) => entry.MessageBody));
    return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) })), Failed: [] };
  }

  private sns(form: URLSearchParams, res: http.ServerResponse): void {
    const action = form.get('Action');
    if (action !== 'Publish') throw new ServiceError('InvalidAction', `SNS ${action} is not implemented locally`);
    const id = this.backends.publish({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? undefined,
      message: form.get('Message') ?? '',
    });
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
      + `<PublishResult><MessageId>${id}</MessageId></PublishResult>`
      + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
