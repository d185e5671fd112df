/**
 * dcmtk as the reference renderer for conformance tests: write a file, let
 * `dcmj2pnm` render it to PGM/PPM, and compare with our preview by Pearson
 * correlation (so a different but monotonic windowing still agrees, while a
 * wrong inversion, colour transform or byte order does not).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A decoded PNM image: 1 channel (PGM) or 3 interleaved (PPM), 8 bits. */
export interface PnmImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/**
 * dcmtk is a test prerequisite, never a reason to skip: CI installs it with
 * scripts/ensure-system-tools.sh. Call at module load (or in beforeAll) of a
 * test that compares with dcmtk; throws naming the package when it is missing.
 */
export function requireDcmtk(): void {
  for (const tool of ['dcmj2pnm', 'dcmdump']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} (dcmtk) is required for the conformance tests: run scripts/ensure-system-tools.sh tests, or apt-get install dcmtk`);
    }
  }
}

/** Reads a binary PGM (P5) or PPM (P6) with maxval 255. */
export function parsePnm(bytes: Uint8Array): PnmImage {
  const header: string[] = [];
  let offset = 0;
  // Magic, width, height, maxval: four whitespace-separated tokens, '#' comments skipped.
  while (header.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[offset]))) offset++;
    if (bytes[offset] === 0x23) {
      while (bytes[offset] !== 0x0a) offset++;
      continue;
    }
    let token = '';
    while (!/\s/.test(String.fromCharCode(bytes[offset]))) token += String.fromCharCode(bytes[offset++]);
    header.push(token);
  }
  offset++; // the single whitespace after maxval
  const [magic, width, height, maxval] = [header[0], Number(header[1]), Number(header[2]), Number(header[3])];
  if ((magic !== 'P5' && magic !== 'P6') || maxval !== 255) throw new Error(`unsupported PNM ${magic} maxval ${maxval}`);
  const channels = magic === 'P5' ? 1 : 3;
  return { width, height, channels, data: bytes.slice(offset, offset + width * height * channels) };
}

/** Renders `file` (frame 0) with dcmj2pnm and the given options (e.g. ['+Wi', '1'] for the file's first window). */
export function renderWithDcmtk(file: Uint8Array, options: readonly string[] = []): PnmImage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcmtk-ref-'));
  try {
    const input = path.join(dir, 'in.dcm');
    const output = path.join(dir, 'out.pnm');
    fs.writeFileSync(input, file);
    execFileSync('dcmj2pnm', [...options, input, output], { stdio: 'pipe' });
    return parsePnm(fs.readFileSync(output));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Pearson correlation of two equally long sample arrays; NaN when either is constant. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} != ${b.length}`);
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= n;
  meanB /= n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - meanA;
    const db = b[i] - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  return cov / Math.sqrt(varA * varB);
}
