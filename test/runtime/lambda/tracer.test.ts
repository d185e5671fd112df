/**
 * The tracer captures AWS SDK clients as X-Ray subsegments in Lambda, leaves
 * HTTP(S) untouched (URLs carry S3 object keys), and is not loaded until the
 * first client is captured.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each test loads the module afresh (jest.isolateModules) */
import * as http from 'http';
import * as https from 'https';
import { SNSClient } from '@aws-sdk/client-sns';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';

function middlewareNames(client: SNSClient): string[] {
  return client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
}

function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('tracer', () => {
  test('in Lambda: SDK calls are subsegments, HTTP(S) and fetch are not patched', () => {
    jest.isolateModules(() => {
      withEnv({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_SERVICE_NAME: 'radiology-prod' }, () => {
        const { traced } = require('../../../src/runtime/lambda/tracer') as typeof import('../../../src/runtime/lambda/tracer');
        const client = traced(new SNSClient({ region: 'eu-west-1' }));
        expect(middlewareNames(client)).toContain(XRAY_MIDDLEWARE);
        expect((https as unknown as { __request?: unknown }).__request).toBeUndefined();
        expect((http as unknown as { __request?: unknown }).__request).toBeUndefined();
      });
    });
  });

  test('outside Lambda the Tracer is off and the client is left as it is', () => {
    jest.isolateModules(() => {
      withEnv({ AWS_EXECUTION_ENV: '' }, () => {
        const { traced } = require('../../../src/runtime/lambda/tracer') as typeof import('../../../src/runtime/lambda/tracer');
        const client = new SNSClient({ region: 'eu-west-1' });
        expect(traced(client)).toBe(client);
        expect(middlewareNames(client)).not.toContain(XRAY_MIDDLEWARE);
      });
    });
  });

  test('loading the clients module does not load the tracer; the first captured client does', () => {
    jest.isolateModules(() => {
      const loaded = () => Object.keys(require.cache).some((p) => p.includes('@aws-lambda-powertools/tracer'));
      for (const p of Object.keys(require.cache)) if (p.includes('@aws-lambda-powertools/tracer') || p.includes('aws-xray-sdk-core')) delete require.cache[p];
      const clients = require('../../../src/runtime/lambda/clients') as typeof import('../../../src/runtime/lambda/clients');
      expect(loaded()).toBe(false);
      clients.s3Client();
      expect(loaded()).toBe(false); // S3 is never traced
      clients.snsClient();
      expect(loaded()).toBe(true);
    });
  });
});
