/**
 * npm run bench:ingest — prepareObject against the Python stack
 * (pydicom + numpy + Pillow) and against the floor (LUT + zlib level 1), on a
 * 512x512 CT and a 3000x3000 DX made in-run by the seeded generator.
 * Phases run in their own processes, interleaved round by round (the order
 * reversed every other round) so machine noise falls on all sides alike, and
 * every ratio is printed as its spread over the rounds (min, median, max of
 * the per-round ratios), in wall and in CPU time; iterations adapt to keep the
 * run near 2-3 min. Then a JPEG 2000 and a JPEG-LS image are decoded by ours
 * and by native decoders, interleaved the same way (codec-rounds.ts).
 * Prints a table and writes bench/results/ingest-latest.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBundles } from './build';
import { runCodecRounds } from './codec-rounds';
import { measureColdStart } from './cold-start';
import { BenchImage, makeCt, makeDx } from './images';
import { printReport, PhaseName, PhaseSamples, Report } from './report';
import { ChildResult, pythonEnv, runJson, wallMs } from './spawn';
import { median } from './stats';
import { DEFAULT_ANALYSIS_MAX_DIMENSION } from '../../src/core/imaging/downscale';
import { renderGray } from '../../src/core/imaging/render';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Measured time each child process should spend, once calibrated. */
const CHILD_BUDGET_MS = Number(process.env.BENCH_CHILD_BUDGET_MS ?? 1500);
const MIN_ITERATIONS = 2;
const MAX_ITERATIONS = 60;
const PHASES: readonly PhaseName[] = ['ours', 'python', 'floor'];

/** The window the floor applies: the file's, or the percentile window our renderer picks (found once, not timed). */
function floorInput(image: BenchImage): object {
  const words = new Uint16Array(new Uint8Array(image.bytes).buffer, image.pixelOffset, image.rows * image.columns);
  const window = image.window ?? renderGray({
    width: image.columns,
    height: image.rows,
    samples: words,
    bitsStored: image.bitsStored,
    signed: image.signed,
    rescaleSlope: image.rescale.slope,
    rescaleIntercept: image.rescale.intercept,
  }).window;
  return {
    pixelOffset: image.pixelOffset,
    pixels: image.rows * image.columns,
    signed: image.signed,
    bitsStored: image.bitsStored,
    slope: image.rescale.slope,
    intercept: image.rescale.intercept,
    center: window.center,
    width: window.width,
  };
}

function main(): void {
  const started = Date.now();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const bundles = buildBundles(REPO_ROOT, workDir);
  const images = [makeCt(), makeDx()];
  const files = new Map(images.map((image) => {
    const dcm = path.join(workDir, `${image.name}.dcm`);
    const floorJson = path.join(workDir, `${image.name}.floor.json`);
    fs.writeFileSync(dcm, image.bytes);
    fs.writeFileSync(floorJson, JSON.stringify(floorInput(image)));
    return [image.name, { dcm, floorJson }];
  }));

  const run = (phase: PhaseName, image: BenchImage, iterations: number): ChildResult => {
    const { dcm, floorJson } = files.get(image.name)!;
    if (phase === 'ours') return runJson(process.execPath, [bundles.phase, 'ours', bundles.prepare, dcm, String(iterations)]);
    if (phase === 'floor') return runJson(process.execPath, [bundles.phase, 'floor', floorJson, dcm, String(iterations)]);
    return runJson(PYTHON, [path.join(__dirname, 'python_ingest.py'), dcm, String(iterations), String(DEFAULT_ANALYSIS_MAX_DIMENSION)], pythonEnv());
  };

  const samples = new Map<string, PhaseSamples>();
  const iterations = new Map<string, number>();
  const record = (key: string, image: BenchImage, phase: PhaseName, result: ChildResult): void => {
    const entry = samples.get(key) ?? {
      image: image.name,
      phase,
      timesMs: [],
      cpuMs: [],
      roundMedianMs: [],
      roundMedianCpuMs: [],
      warmUpMs: [],
      maxRssBytes: [],
      outputBytes: result.outputBytes,
    };
    entry.timesMs.push(...result.timesMs);
    entry.cpuMs.push(...(result.cpuMs ?? []));
    entry.roundMedianMs.push(median(result.timesMs));
    entry.roundMedianCpuMs.push(median(result.cpuMs ?? []));
    entry.warmUpMs.push(result.warmUpMs ?? []);
    entry.maxRssBytes.push(result.maxRssBytes);
    samples.set(key, entry);
  };
  // An uncounted round first, to size each child's iterations to CHILD_BUDGET_MS.
  for (const image of images) {
    for (const phase of PHASES) {
      const result = run(phase, image, MIN_ITERATIONS);
      iterations.set(`${image.name}/${phase}`,
        Math.max(MIN_ITERATIONS, Math.min(MAX_ITERATIONS, Math.round(CHILD_BUDGET_MS / median(result.timesMs)))));
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const image of images) {
      // Every other round in reverse order, so no side always runs right after the same neighbour.
      for (const phase of round % 2 === 0 ? PHASES : [...PHASES].reverse()) {
        const key = `${image.name}/${phase}`;
        record(key, image, phase, run(phase, image, iterations.get(key)!));
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const codecs = runCodecRounds(workDir, bundles, () => `${((Date.now() - started) / 1000).toFixed(0)} s`);

  const pythonStartup: number[] = [];
  const pythonEmpty: number[] = [];
  for (let i = 0; i < 5; i++) {
    pythonEmpty.push(wallMs(PYTHON, ['-c', 'pass'], { env: pythonEnv() }));
    pythonStartup.push(wallMs(PYTHON, ['-c', 'import numpy, pydicom, PIL.Image, PIL.PngImagePlugin'], { env: pythonEnv() }));
  }
  const coldStart = measureColdStart(REPO_ROOT, bundles, files.get('ct')!.dcm, 20);

  const report: Report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    rounds: ROUNDS,
    images: images.map((i) => ({ name: i.name, label: i.label, fileBytes: i.bytes.length })),
    phases: [...samples.values()],
    pythonStartupMs: median(pythonStartup),
    pythonEmptyMs: median(pythonEmpty),
    coldStart,
    codecs,
    totalSeconds: (Date.now() - started) / 1000,
  };
  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'ingest-latest.json'), `${JSON.stringify(printReport(report), null, 2)}\n`);
  fs.rmSync(workDir, { recursive: true, force: true });
}

main();
