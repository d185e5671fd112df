/**
 * One hostile-catalogue case in its own process (bundled by esbuild, run with
 * the ingest function's memory as its heap limit): reads the input file,
 * prepares it and prints one JSON line with the outcome, the time taken and
 * the process's peak resident memory (VmHWM).
 */
import * as fs from 'node:fs';
import { isRejection, prepareObject, PrepareOptions } from '../../../src/core/preparation';

export interface CaseRequest {
  readonly file: string;
  readonly options: Omit<PrepareOptions, 'pseudonymKey' | 'deadline'> & { readonly timeBudgetMs?: number };
}

export interface CaseResult {
  /** 'PREPARED', a rejection reason code, or 'ESCAPED: <error name>'. */
  readonly outcome: string;
  readonly ms: number;
  readonly peakRssMb: number;
}

function peakRssMb(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return Number.isFinite(kb) ? kb / 1024 : process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as CaseRequest;
  const bytes = fs.readFileSync(request.file);
  const { timeBudgetMs, ...options } = request.options;
  const start = performance.now();
  let outcome: string;
  try {
    await prepareObject(bytes, {
      ...options,
      pseudonymKey: new Uint8Array(32).fill(7),
      deadline: timeBudgetMs === undefined ? undefined : Date.now() + timeBudgetMs,
    });
    outcome = 'PREPARED';
  } catch (e) {
    outcome = isRejection(e) ? e.reasonCode : `ESCAPED: ${e instanceof Error ? e.name : typeof e}`;
  }
  const result: CaseResult = { outcome, ms: performance.now() - start, peakRssMb: peakRssMb() };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
