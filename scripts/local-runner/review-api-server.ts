/**
 * The review API on loopback: the template's REST API (its routes and their
 * Lambda proxy integrations, template-wiring.ts `findRestApi`) served over
 * HTTP, each request turned into the API Gateway proxy event the bundled
 * handler receives in AWS and invoked through the runner's LambdaHost.
 *
 * Stand-in, labelled as such: API Gateway's authorization. In AWS a SigV4
 * signature (or a Cognito token) proves who calls; here the caller names a
 * session in the `x-local-reviewer` header and the request context carries
 * the stand-in identity `arn:aws:sts::000000000000:assumed-role/local-reviewer-stand-in/<session>`
 * (or Cognito claims for such a user). A request without the header gets
 * API Gateway's 403. Not reproduced: the request model validation (the
 * handler checks the same fields), throttling, WAF.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { LOCAL_ACCOUNT } from './template';
import { ApiRoute, RestApiWiring } from './template-wiring';

/** Role name of the stand-in identity: it says what it is wherever the audit trail shows it. */
export const LOCAL_REVIEWER_ROLE = 'local-reviewer-stand-in';
/** Header naming the stand-in session (the reviewer) of a local request. */
export const LOCAL_REVIEWER_HEADER = 'x-local-reviewer';
const SESSION = /^[A-Za-z0-9_.@-]{1,64}$/;
const MAX_BODY_BYTES = 1024 * 1024;

export function standInReviewerArn(session: string): string {
  return `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${LOCAL_REVIEWER_ROLE}/${session}`;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** One request the server answered (for the demo and the tests). */
export interface RecordedApiRequest {
  readonly method: string;
  readonly path: string;
  readonly route?: string;
  readonly status: number;
  readonly reviewer?: string;
}

export interface ReviewApiServerOptions {
  readonly api: RestApiWiring;
  /** Invokes a function of the template (the runner's LambdaHost). */
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface RouteMatch {
  readonly route: ApiRoute;
  readonly pathParameters: Record<string, string>;
}

interface ProxyResult {
  readonly statusCode?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export class ReviewApiServer {
  public readonly requests: RecordedApiRequest[] = [];
  private server?: http.Server;
  private port = 0;

  constructor(private readonly options: ReviewApiServerOptions) {}

  /** Base URL including the stage, like the deployed API's. */
  public get url(): string {
    return `http://127.0.0.1:${this.port}/${this.options.api.stageName}/`;
  }

  public async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        const body = size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
        void this.answer(req, body).then((answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        });
      });
    });
    this.server = server;
    this.port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A request as a reviewer's client sends it (the session names the stand-in identity). */
  public async call(method: string, path: string, options: { body?: unknown; session?: string } = {}): Promise<ApiResponse> {
    const response = await fetch(new URL(path.replace(/^\//, ''), this.url), {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.session === undefined ? {} : { [LOCAL_REVIEWER_HEADER]: options.session }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, body: await response.text() };
  }

  private async answer(req: http.IncomingMessage, body: string | undefined): Promise<HttpAnswer> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const record = (status: number, route?: ApiRoute, reviewer?: string) => {
      this.requests.push({ method, path: url.pathname, route: route && `${route.httpMethod} ${route.resourcePath}`, status, reviewer });
    };
    const gatewayError = (status: number, message: string, route?: ApiRoute) => {
      record(status, route);
      return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': status === 403 ? 'MissingAuthenticationTokenException' : 'Error' }, body: JSON.stringify({ message }) };
    };
    if (body === undefined) return gatewayError(413, 'Request Too Long');
    const stagePrefix = `/${this.options.api.stageName}`;
    if (!url.pathname.startsWith(`${stagePrefix}/`)) return gatewayError(403, 'Missing Authentication Token');
    const path = url.pathname.slice(stagePrefix.length);
    const match = this.match(method, path);
    // API Gateway answers an unknown route like an unsigned request: it reveals nothing about which routes exist.
    if (match === undefined) return gatewayError(403, 'Missing Authentication Token');
    const session = req.headers[LOCAL_REVIEWER_HEADER];
    if (typeof session !== 'string' || !SESSION.test(session)) return gatewayError(403, 'Missing Authentication Token', match.route);

    const reviewer = standInReviewerArn(session);
    const event = this.proxyEvent(req, url, path, body, match, session);
    try {
      const result = (await this.options.invoke(match.route.functionLogicalId, event)) as ProxyResult;
      const status = result.statusCode ?? 200;
      record(status, match.route, reviewer);
      return { status, headers: { ...result.headers }, body: result.body ?? '' };
    } catch {
      record(502, match.route, reviewer);
      return { status: 502, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Internal server error' }) };
    }
  }

  private match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    for (const route of this.options.api.routes) {
      if (route.httpMethod !== method) continue;
      const template = route.resourcePath.split('/').filter((p) => p !== '');
      if (template.length !== parts.length) continue;
      const pathParameters: Record<string, string> = {};
      const fits = template.every((segment, i) => {
        const name = /^\{(.+)\}$/.exec(segment)?.[1];
        if (name === undefined) return segment === parts[i];
        pathParameters[name] = decodeURIComponent(parts[i]);
        return true;
      });
      if (fits) return { route, pathParameters };
    }
    return undefined;
  }

  /** The event API Gateway's Lambda proxy integration sends, with the stand-in identity where SigV4 or Cognito would put the caller. */
  private proxyEvent(req: http.IncomingMessage, url: URL, path: string, body: string, match: RouteMatch, session: string) {
    const { route, pathParameters } = match;
    const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
    const query = Object.fromEntries(url.searchParams.entries());
    const cognito = route.authorizationType === 'COGNITO_USER_POOLS';
    return {
      resource: route.resourcePath,
      path,
      httpMethod: route.httpMethod,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(query).length === 0 ? null : query,
      multiValueQueryStringParameters: null,
      pathParameters: Object.keys(pathParameters).length === 0 ? null : pathParameters,
      stageVariables: null,
      body: body === '' ? null : body,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: this.options.api.restApiLogicalId,
        stage: this.options.api.stageName,
        requestId: randomUUID(),
        resourcePath: route.resourcePath,
        httpMethod: route.httpMethod,
        path: `/${this.options.api.stageName}${path}`,
        protocol: 'HTTP/1.1',
        requestTimeEpoch: Date.now(),
        identity: cognito
          ? { sourceIp: '127.0.0.1', userArn: null, user: null, caller: null }
          : { sourceIp: '127.0.0.1', userArn: standInReviewerArn(session), user: `${LOCAL_REVIEWER_ROLE}:${session}`, caller: `${LOCAL_REVIEWER_ROLE}:${session}` },
        authorizer: cognito ? { claims: { 'sub': `${LOCAL_REVIEWER_ROLE}-${session}`, 'cognito:username': session } } : null,
      },
    };
  }
}
