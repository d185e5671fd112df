/**
 * Runs dcmtk's dcmdump on a file. dcmtk is a test prerequisite (README; .ci/run
 * installs it): without it the Part 10 validity checks fail, they never skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (spawnSync('dcmdump', ['--version'], { encoding: 'utf8' }).status !== 0) {
  throw new Error('dcmdump (dcmtk) is required for the Part 10 validity checks: apt-get install dcmtk');
}

export interface DumpResult {
  readonly status: number | null;
  readonly output: string;
  /** Lines dcmtk logged as errors (E:) or warnings (W:). */
  readonly problems: string[];
}

export function dcmdump(bytes: Uint8Array): DumpResult {
  const dir = mkdtempSync(join(tmpdir(), 'deid-'));
  try {
    const file = join(dir, 'object.dcm');
    writeFileSync(file, bytes);
    // Without -q, so that warnings are printed; +L keeps long values in the dump.
    const result = spawnSync('dcmdump', ['+L', file], { encoding: 'utf8' });
    const output = `${result.stdout}\n${result.stderr}`;
    return { status: result.status, output, problems: output.split('\n').filter((line) => /^(E|W|F): /.test(line)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
