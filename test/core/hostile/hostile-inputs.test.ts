/**
 * Acceptance of issue 13's hostile-input catalogue: every case ends in its
 * typed outcome within its time and memory bounds, in a child process whose
 * heap limit is the ingest function's memory (2048 MB), three runs each (two
 * children at a time on this 2-core machine). Prints min-median-max of time
 * and peak RSS per case, and the worst of each.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CaseRequest, CaseResult } from './case-child';
import { CASES, HostileCase, INGEST_MEMORY_MB, optionsOf } from './catalogue';
import { bundleWorker } from '../../fuzz/worker-runner';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 3);
const PARALLEL = 2;
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

jest.setTimeout(600_000);

function runChild(bundle: string, request: CaseRequest, watchdogMs: number): Promise<CaseResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`--max-old-space-size=${INGEST_MEMORY_MB}`, bundle, JSON.stringify(request)], {
      // The bundle leaves the codec packages' WebAssembly where npm put it.
      env: { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules') },
      timeout: watchdogMs,
      maxBuffer: 2 ** 20,
    }, (error, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as CaseResult);
      } catch {
        resolve({ outcome: `DIED: ${error?.signal ?? error?.code ?? 'no result'}`, ms: Number.NaN, peakRssMb: Number.NaN });
      }
    });
  });
}

/** Runs the jobs two at a time. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((v) => v.toFixed(0)).join(' / ');
}

function matches(expected: string, outcome: string): boolean {
  if (expected === 'TYPED') return /^[A-Z_]+$/.test(outcome);
  return outcome === expected;
}

describe('hostile-input catalogue (issue 13 items 9-12)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  const results = new Map<HostileCase, CaseResult[]>();

  beforeAll(async () => {
    const bundle = bundleWorker(path.join(__dirname, 'case-child.ts'));
    const files = new Map<HostileCase['generate'], string>();
    for (const c of CASES) {
      if (files.has(c.generate)) continue;
      const file = path.join(dir, `${files.size}.bin`);
      fs.writeFileSync(file, c.generate());
      files.set(c.generate, file);
    }
    const jobs = CASES.flatMap((c) => Array.from({ length: RUNS }, () => async () => {
      const result = await runChild(bundle, { file: files.get(c.generate)!, options: optionsOf(c) }, c.maxMs * 3 + 15_000);
      results.set(c, [...(results.get(c) ?? []), result]);
    }));
    await pool(jobs, PARALLEL);
    const lines = CASES.map((c) => {
      const runs = results.get(c) ?? [];
      return `${c.name} [item ${c.item}]: ${[...new Set(runs.map((r) => r.outcome))].join(',')}; ms ${spread(runs.map((r) => r.ms))}; `
        + `peak RSS MB ${spread(runs.map((r) => r.peakRssMb))}`;
    });
    const all = [...results.values()].flat();
    lines.push(`worst time ${Math.max(...all.map((r) => r.ms)).toFixed(0)} ms; worst peak RSS ${Math.max(...all.map((r) => r.peakRssMb)).toFixed(0)} MB`
      + ` (heap limit ${INGEST_MEMORY_MB} MB, ${RUNS} runs a case, min / median / max)`);
    // eslint-disable-next-line no-console -- the figures are the point of this test
    console.log(lines.join('\n'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const runs = results.get(c) ?? [];
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) {
      expect({ outcome: run.outcome, matches: matches(c.expected, run.outcome) }).toEqual({ outcome: run.outcome, matches: true });
      expect(run.ms).toBeLessThanOrEqual(c.maxMs);
      expect(run.peakRssMb).toBeLessThanOrEqual(c.maxRssMb);
    }
  });
});
