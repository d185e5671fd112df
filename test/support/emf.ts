/**
 * Captures CloudWatch embedded metric format lines written to stdout, for
 * handler tests and the e2e run to assert which metrics were emitted.
 */
import { captureOutput } from './capture';

/** One metric value read back from an EMF line. */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly value: number | number[];
  readonly dimensions: Record<string, string>;
}

/** One metric directive of an EMF document's _aws.CloudWatchMetrics. */
interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit?: string }>;
}

/** Parses the metrics out of one stdout line; lines that are not EMF give none. */
export function parseEmfLine(line: string): EmittedMetric[] {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [];
  }
  const aws = doc._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined;
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

/** Every EMF metric in captured output (for example `captureOutput().text()`). */
export function emfMetrics(text: string): EmittedMetric[] {
  return text.split('\n').filter((line) => line.trim() !== '').flatMap(parseEmfLine);
}

/** Runs `fn` with stdout/stderr captured and returns what it resolved to, the raw text and the EMF metrics written meanwhile. */
export async function captureEmf<T>(fn: () => Promise<T> | T): Promise<{ result: T; metrics: EmittedMetric[]; text: string }> {
  const output = captureOutput();
  try {
    const result = await fn();
    const text = output.text();
    return { result, metrics: emfMetrics(text), text };
  } finally {
    output.restore();
  }
}
