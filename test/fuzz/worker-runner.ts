/**
 * The fuzz test's side of the worker: bundles the worker entry with esbuild,
 * sends one input at a time and kills the worker when a call overruns the
 * watchdog (a synchronous hang cannot be interrupted any other way).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzRequest, FuzzResponse } from './prepare-worker';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Heap cap for the worker: a runaway allocation fails the call instead of the machine. */
const WORKER_HEAP_MB = 512;

/**
 * Bundles a worker entry (by default the fuzz test's) once per test file
 * (esbuild's JS API misbehaves inside jest's sandbox, its CLI does not).
 */
export function bundleWorker(entry = path.join(__dirname, 'prepare-worker.ts')): string {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-fuzz-'));
  const outFile = path.join(outDir, `${path.basename(entry, '.ts')}.js`);
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [
    entry, '--bundle', '--platform=node', '--target=node20', '--log-level=warning', `--outfile=${outFile}`,
  ], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return outFile;
}

export type RunResult =
  | FuzzResponse
  | { readonly id: number; readonly hung: true; readonly watchdogMs: number }
  | { readonly id: number; readonly crashed: string };

export class FuzzWorker {
  private worker: Worker;
  private nextId = 0;

  constructor(private readonly script: string, private readonly watchdogMs: number) {
    this.worker = this.spawn();
  }

  /** Runs one input; a hung or dead worker is replaced so the next input starts clean. */
  run(bytes: Uint8Array, options: FuzzRequest['options']): Promise<RunResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const worker = this.worker;
      const finish = (result: RunResult, replace: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (replace) {
          void worker.terminate();
          this.worker = this.spawn();
        }
        resolve(result);
      };
      const onMessage = (response: FuzzResponse) => { if (response.id === id) finish(response, false); };
      const onError = (error: Error) => finish({ id, crashed: `${error.name}: ${error.message}` }, true);
      const timer = setTimeout(() => finish({ id, hung: true, watchdogMs: this.watchdogMs }, true), this.watchdogMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      const request: FuzzRequest = { id, bytes, options };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.unref();
    return worker;
  }
}
