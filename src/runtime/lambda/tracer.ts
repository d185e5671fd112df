/**
 * X-Ray through Powertools Tracer: each AWS SDK call of a captured client is a
 * subsegment of the function's (active) trace.
 *
 * PHI: HTTP(S) and fetch capture stay off, and S3 clients are never captured,
 * because both would record object keys, which an uploader chooses (a key may
 * hold a patient's name). The other clients record operation, table, queue,
 * topic or endpoint names only.
 *
 * Cold start: the tracer and the X-Ray SDK under it load when the first client
 * is captured (inside the first invocation), not with the handler module, and
 * outside Lambda the Tracer turns itself off.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { lazy } from './lazy';
import { metricsServiceName } from './metrics';

const tracer = lazy((): Tracer => {
  // Required here, not imported: keeps the X-Ray SDK out of the handler's module load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tracer: PowertoolsTracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  return new PowertoolsTracer({ serviceName: metricsServiceName(), captureHTTPsRequests: false });
});

/** The client, instrumented so its calls appear as X-Ray subsegments (never pass an S3 client). */
export function traced<T>(client: T): T {
  return tracer().captureAWSv3Client(client);
}
