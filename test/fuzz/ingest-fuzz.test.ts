/**
 * Property: whatever bytes arrive, prepareObject returns a well-formed
 * PreparedObject or throws a typed rejection, within 2 s and a bounded
 * allocation. Inputs are seeded mutations of valid DICOM/PNG/JPEG files and
 * random buffers; calls run in a worker thread so a hang is caught, not waited for.
 *
 * Reproduce a failure: INGEST_FUZZ_SEED=<printed seed> npx jest test/fuzz.
 * Survey every distinct failure instead of stopping at the first: INGEST_FUZZ_EXPLORE=1.
 * Defects already reported to their owners are listed in ./known-defects.ts.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { BaseInput, makeBases } from './bases';
import { knownDefectOf, KNOWN_DEFECTS } from './known-defects';
import { buildInput, FuzzRecipe, recipeArbitrary } from './mutations';
import type { FuzzRequest } from './prepare-worker';
import { bundleWorker, FuzzWorker, RunResult } from './worker-runner';

const SEED = Number(process.env.INGEST_FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.INGEST_FUZZ_RUNS ?? 10000);
const EXPLORE = process.env.INGEST_FUZZ_EXPLORE === '1';
/** The issue's bound on one call. */
const MAX_CALL_MS = 2000;
/** The worker is killed a little later, so a slow-but-finishing call is reported with its duration. */
const WATCHDOG_MS = 4000;
/** Limits small enough that "within the limit" still means a bounded allocation on a test machine. */
const OPTIONS: FuzzRequest['options'] = { maxPixels: 4_000_000, analysisMaxDimension: 64 };
/** 4 Mpx at up to 4 bytes a pixel, a few copies of it: anything beyond is an unbounded allocation. */
const MAX_ALLOCATED_BYTES = 128 * 2 ** 20;
const CORPUS = path.join(__dirname, 'corpus');
const OPEN_CORPUS = path.join(CORPUS, 'open');

function readHexInputs(dir: string): Array<{ file: string; input: Buffer }> {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.hex')).sort()
    .map((file) => ({ file, input: Buffer.from(fs.readFileSync(path.join(dir, file), 'utf8').trim(), 'hex') }));
}

/** What is wrong with one call's result, or undefined when the property holds. */
function violation(result: RunResult): string | undefined {
  if ('hung' in result) return `no answer within ${result.watchdogMs} ms (hang)`;
  if ('crashed' in result) return `worker died: ${result.crashed}`;
  if (result.outcome.kind === 'escaped') return `escaped the typed rejection: ${result.outcome.stack || `${result.outcome.name}: ${result.outcome.message}`}`;
  if (result.outcome.kind === 'prepared' && result.outcome.problems.length) return `malformed PreparedObject: ${result.outcome.problems.join('; ')}`;
  if (result.durationMs > MAX_CALL_MS) return `took ${result.durationMs.toFixed(0)} ms (> ${MAX_CALL_MS} ms)`;
  if (result.allocatedBytes > MAX_ALLOCATED_BYTES) return `allocated ${(result.allocatedBytes / 2 ** 20).toFixed(0)} MiB (> ${MAX_ALLOCATED_BYTES / 2 ** 20} MiB)`;
  return undefined;
}

/** One line that groups failures with the same cause: the message and the first frame in our code. */
function signature(problem: string): string {
  const lines = problem.split('\n');
  const frame = lines.find((l) => /\/src\//.test(l)) ?? lines[1] ?? '';
  return `${lines[0]} @ ${frame.trim().replace(/^at /, '')}`;
}

/** Writes the failing input as hex (and its recipe) for the owner of the code that failed. */
function saveToCorpus(input: Buffer, recipe: FuzzRecipe, bases: readonly BaseInput[], problem: string): string {
  const name = createHash('sha256').update(input).digest('hex').slice(0, 12);
  fs.mkdirSync(CORPUS, { recursive: true });
  const file = path.join(CORPUS, `${name}.hex`);
  fs.writeFileSync(file, `${input.toString('hex')}\n`);
  const described = recipe.source === 'base' ? { ...recipe, baseName: bases[recipe.base].name } : recipe;
  fs.writeFileSync(path.join(CORPUS, `${name}.json`), `${JSON.stringify({ seed: SEED, recipe: described, problem: problem.split('\n').slice(0, 8) }, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}

describe('prepareObject under fuzzing', () => {
  const bases = makeBases();
  let worker: FuzzWorker;
  let script: string;

  beforeAll(() => {
    script = bundleWorker();
    worker = new FuzzWorker(script, WATCHDOG_MS);
  });
  afterAll(async () => {
    await worker.close();
    fs.rmSync(path.dirname(script), { recursive: true, force: true });
  });

  test('every base input is prepared (the mutations start from valid files)', async () => {
    for (const base of bases) {
      const result = await worker.run(base.bytes, OPTIONS);
      expect({ base: base.name, kind: 'outcome' in result ? result.outcome.kind : 'failed' }).toEqual({ base: base.name, kind: 'prepared' });
    }
  });

  test('regression inputs (test/fuzz/corpus/*.hex) pass', async () => {
    for (const { file, input } of readHexInputs(CORPUS)) {
      expect({ file, problem: violation(await worker.run(input, OPTIONS)) }).toEqual({ file, problem: undefined });
    }
  });

  // Expected failures: each fails while its defect is open; when it starts passing, move its inputs to corpus/.
  for (const defect of KNOWN_DEFECTS) {
    test.failing(`open defect ${defect.id} (${defect.owner}) still reproduces`, async () => {
      const inputs = readHexInputs(path.join(OPEN_CORPUS, defect.id));
      expect(inputs.length).toBeGreaterThan(0);
      for (const { file, input } of inputs) {
        expect({ file, problem: violation(await worker.run(input, OPTIONS)) }).toEqual({ file, problem: undefined });
      }
    });
  }

  test(`${RUNS} mutated and random inputs: rejection or well-formed result, < ${MAX_CALL_MS} ms, bounded memory`, async () => {
    const failures = new Map<string, { recipe: FuzzRecipe; input: Buffer; problem: string }>();
    const counts = { prepared: 0, rejected: 0 };
    const known = new Map<string, number>();
    const property = fc.asyncProperty(recipeArbitrary(bases.length), async (recipe) => {
      const input = buildInput(recipe, bases);
      const result = await worker.run(input, OPTIONS);
      const problem = violation(result);
      if (problem === undefined) {
        if ('outcome' in result) counts[result.outcome.kind === 'prepared' ? 'prepared' : 'rejected']++;
        return true;
      }
      const defect = knownDefectOf(problem);
      if (defect) {
        known.set(defect.id, (known.get(defect.id) ?? 0) + 1);
        return true;
      }
      const key = signature(problem);
      if (!failures.has(key)) failures.set(key, { recipe, input, problem });
      return EXPLORE; // in explore mode keep going to survey every distinct failure
    });

    const details = await fc.check(property, { seed: SEED, numRuns: RUNS, endOnFailure: EXPLORE });
    const reports: string[] = [];
    if (details.failed && details.counterexample) {
      // fast-check shrank it: report the smallest recipe rather than the first one found.
      const [recipe] = details.counterexample;
      const input = buildInput(recipe, bases);
      const problem = violation(await worker.run(input, OPTIONS)) ?? 'failed during shrinking only (flaky?)';
      failures.clear();
      failures.set(signature(problem), { recipe, input, problem });
    }
    for (const { recipe, input, problem } of failures.values()) {
      const saved = saveToCorpus(input, recipe, bases, problem);
      reports.push(`${problem.split('\n').slice(0, 6).join('\n')}\n  recipe: ${JSON.stringify(recipe)}\n  input: ${saved} (${input.length} bytes)`);
    }
    if (reports.length) {
      throw new Error(`ingest fuzz (seed ${SEED}, ${details.numRuns} runs): ${reports.length} failure(s)\n\n${reports.join('\n\n')}`);
    }
    if (known.size) {
      process.stderr.write(`ingest fuzz (seed ${SEED}): open defects hit, not failing the run: ${[...known].map(([id, n]) => `${id} x${n}`).join(', ')}\n`);
    }
    // A run that never reaches the decoders proves little: both outcomes must be common.
    expect(details.numRuns).toBe(RUNS);
    expect(counts.prepared).toBeGreaterThan(RUNS / 50);
    expect(counts.rejected).toBeGreaterThan(RUNS / 5);
  });
});
