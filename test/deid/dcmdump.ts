/** Runs dcmtk's dcmdump on a file; tests skip (loudly) when dcmtk is not installed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const installed = spawnSync('dcmdump', ['--version'], { encoding: 'utf8' }).status === 0;
if (!installed && process.env.CI) {
  // CI installs dcmtk (.ci/run): there, a missing dcmdump is a broken setup, not a reason to skip.
  throw new Error('dcmdump (dcmtk) is required in CI for the Part 10 validity checks: apt-get install dcmtk');
}
export const dcmdumpAvailable = installed;
if (!dcmdumpAvailable) {
  // eslint-disable-next-line no-console
  console.warn('dcmdump (dcmtk) is not installed: the Part 10 validity checks are SKIPPED. Install dcmtk (apt-get install dcmtk).');
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
