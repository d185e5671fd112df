/**
 * Runs prepareObject in a worker thread for the fuzz test, so the test's
 * main thread can time each call and terminate a hung one. Bundled by
 * esbuild when the test starts (jest's transform does not reach workers).
 */
import { parentPort } from 'node:worker_threads';
import { wellFormedProblems } from './well-formed';
import { isRejection, prepareObject, PrepareOptions } from '../../src/core/preparation';

export interface FuzzRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly options: Omit<PrepareOptions, 'pseudonymKey'> & { readonly analysisMaxDimension: number };
}

export type FuzzOutcome =
  | { readonly kind: 'prepared'; readonly problems: string[] }
  | { readonly kind: 'rejected'; readonly reasonCode: string }
  | { readonly kind: 'escaped'; readonly name: string; readonly message: string; readonly stack: string };

export interface FuzzResponse {
  readonly id: number;
  readonly outcome: FuzzOutcome;
  readonly durationMs: number;
  /** Growth of ArrayBuffer memory (buffers, typed arrays) plus JS heap over the call, before any GC. */
  readonly allocatedBytes: number;
}

const KEY = new Uint8Array(32).fill(7);

function allocated(): number {
  const usage = process.memoryUsage();
  return usage.arrayBuffers + usage.heapUsed;
}

parentPort?.on('message', async (request: FuzzRequest) => {
  const before = allocated();
  const start = performance.now();
  let outcome: FuzzOutcome;
  try {
    const result = await prepareObject(request.bytes, { ...request.options, pseudonymKey: KEY });
    outcome = { kind: 'prepared', problems: wellFormedProblems(result, request.options.analysisMaxDimension) };
  } catch (e) {
    if (isRejection(e)) {
      outcome = { kind: 'rejected', reasonCode: e.reasonCode };
    } else {
      // Libraries that throw strings leave no stack: the value itself is the only clue (test data holds no real PHI).
      outcome = e instanceof Error
        ? { kind: 'escaped', name: e.name, message: e.message, stack: e.stack ?? '' }
        : { kind: 'escaped', name: `thrown ${typeof e}`, message: String(e).slice(0, 300), stack: '' };
    }
  }
  const durationMs = performance.now() - start;
  const response: FuzzResponse = { id: request.id, outcome, durationMs, allocatedBytes: allocated() - before };
  parentPort?.postMessage(response);
});
