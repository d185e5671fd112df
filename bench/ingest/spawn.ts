/** Child processes of the benchmark: one JSON line out, or wall time of the whole process. */
import { spawnSync } from 'node:child_process';
import type { PhaseResult } from './phase';

/** What a child prints: phase.ts and python_ingest.py write the same shape. */
export type ChildResult = PhaseResult;

/** The Python side without the OpenBLAS overrides this machine sets (they slow numpy); other commands keep them. */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export function runJson(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildResult {
  const child = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

/** Wall-clock milliseconds from spawn to exit. */
export function wallMs(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const start = process.hrtime.bigint();
  const child = spawnSync(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  return elapsed;
}
