/**
 * Captures CloudWatch embedded metric format lines written to stdout, for
 * handler tests and the e2e run to assert which metrics were emitted.
 */

/** One metric value read back from an EMF line. */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly value: number | number[];
  readonly dimensions: Record<string, string>;
}

/** Parses the metrics out of one stdout line; lines that are not EMF give none. */
export function parseEmfLine(line: string): EmittedMetric[] {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [];
  }
  const aws = doc._aws as { CloudWatchMetrics?: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }> } | undefined;
  if (aws?.CloudWatchMetrics === undefined) {
    return [];
  }
  const out: EmittedMetric[] = [];
  for (const directive of aws.CloudWatchMetrics) {
    const dimensions: Record<string, string> = {};
    for (const name of directive.Dimensions.flat()) {
      dimensions[name] = String(doc[name]);
    }
    for (const metric of directive.Metrics) {
      out.push({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        value: doc[metric.Name] as number | number[],
        dimensions,
      });
    }
  }
  return out;
}

/** Runs `fn` with stdout intercepted and returns what it resolved to and the EMF metrics written meanwhile. */
export async function captureEmf<T>(fn: () => Promise<T> | T): Promise<{ result: T; metrics: EmittedMetric[]; lines: string[] }> {
  const original = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    const lines = chunks.join('').split('\n').filter((line) => line.trim() !== '');
    return { result, metrics: lines.flatMap(parseEmfLine), lines };
  } finally {
    process.stdout.write = original;
  }
}
