/**
 * One benchmark phase in its own process, so each phase's peak RSS is its
 * own. Bundled by esbuild before it runs (no ts-node in the measured
 * process); loads the ingest code from a separate bundle so that the
 * first-call phase can time the module load.
 *
 *   node phase.js ours  <prepare.js> <image.dcm> <iterations>
 *   node phase.js floor <image.json> <image.dcm> <iterations>
 *   node phase.js decode <dicom.js> <image.dcm> <iterations>
 *   node phase.js first-call <prepare.js> <image.dcm>
 *
 * Prints one JSON line (PhaseResult) on stdout.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type * as dicomCore from '../../src/core/dicom';
import { applyWindow } from '../../src/core/imaging/render';
import type * as ingestCore from '../../src/core/preparation';

export interface PhaseResult {
  readonly timesMs: number[];
  /** CPU time of each timed iteration, all threads of the process (user + system), where measured. */
  readonly cpuMs?: number[];
  /** ours only: wall time of each warm-up iteration of this fresh process. */
  readonly warmUpMs?: number[];
  /** Peak resident set of this process (VmHWM), bytes. */
  readonly maxRssBytes: number;
  /** Output bytes of one iteration, per output. */
  readonly outputBytes: Record<string, number>;
  /** first-call only. */
  readonly loadMs?: number;
  readonly firstCallMs?: number;
  readonly secondCallMs?: number;
}

/** Loads a bundle by path at run time (createRequire keeps esbuild from inlining it). */
const load = <T>(file: string): T => createRequire(__filename)(path.resolve(file)) as T;
const KEY = new Uint8Array(32).fill(42);
/**
 * Iterations before the timed ones, on every side alike (python_ingest.py uses
 * the same count). A fresh Node process needs about six DX-sized objects before
 * V8 has optimized the hot loops for good and the allocator recycles freed
 * image buffers instead of faulting in new pages; a warm Lambda container is
 * past that, and the per-image cost there is what throughput and cost follow.
 * The warm-up is still timed and printed, and the first-call phase reports the
 * cold cost.
 */
export const WARM_UP_ITERATIONS = 8;

/**
 * This process's RSS high-water mark. VmHWM rather than getrusage's maxRSS:
 * Linux carries maxRSS over from the parent across fork + exec, so every
 * child would report at least the benchmark runner's own peak.
 */
function peakRssBytes(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/** CPU milliseconds (user + system) the whole process has used, thread-pool threads included. */
function cpuMsNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function ours(prepareBundle: string, imageFile: string, iterations: number): Promise<PhaseResult> {
  const { prepareObject } = load<typeof ingestCore>(prepareBundle);
  const bytes = fs.readFileSync(imageFile);
  const warmUpMs: number[] = [];
  let first: Awaited<ReturnType<typeof prepareObject>> | undefined;
  for (let i = 0; i < WARM_UP_ITERATIONS; i++) {
    const start = performance.now();
    const result = await prepareObject(bytes, { pseudonymKey: KEY });
    warmUpMs.push(performance.now() - start);
    first ??= result;
  }
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const cpuStart = cpuMsNow();
    const start = performance.now(); // the wall clock inside the CPU clock: its own reading is not counted
    await prepareObject(bytes, { pseudonymKey: KEY });
    timesMs.push(performance.now() - start);
    cpuMs.push(cpuMsNow() - cpuStart);
  }
  const outputBytes = {
    dicom: first?.deidentifiedDicom?.length ?? 0,
    preview: first?.previewPng.length ?? 0,
    analysis: first?.analysisPng.length ?? 0,
  };
  return { timesMs, cpuMs, warmUpMs, maxRssBytes: peakRssBytes(), outputBytes };
}

interface FloorInput {
  readonly pixelOffset: number;
  readonly pixels: number;
  readonly signed: boolean;
  readonly bitsStored: number;
  readonly slope: number;
  readonly intercept: number;
  /** Window in modality units: the file's, or the percentile window ours chose. */
  readonly center: number;
  readonly width: number;
}

/** The least work that still produces a windowed, compressed 8-bit image: LUT, one pass, zlib level 1. */
function floor(inputFile: string, imageFile: string, iterations: number): PhaseResult {
  const input = JSON.parse(fs.readFileSync(inputFile, 'utf8')) as FloorInput;
  const file = new Uint8Array(fs.readFileSync(imageFile)); // own ArrayBuffer, 2-byte aligned
  const lut = new Uint8Array(65536); // precomputed: not timed
  const modulus = 2 ** input.bitsStored;
  for (let raw = 0; raw < lut.length; raw++) {
    const low = raw % modulus;
    const stored = input.signed && low >= modulus / 2 ? low - modulus : low;
    lut[raw] = applyWindow(stored * input.slope + input.intercept, input.center, input.width);
  }
  let compressed = 0;
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 1 - WARM_UP_ITERATIONS; i <= iterations; i++) {
    const cpuStart = cpuMsNow(); // read the same way as for ours, so both pay the same for the clocks
    const start = performance.now();
    const words = new Uint16Array(file.buffer, input.pixelOffset, input.pixels);
    const out = new Uint8Array(input.pixels);
    for (let p = 0; p < out.length; p++) out[p] = lut[words[p]];
    compressed = zlib.deflateSync(out, { level: 1 }).length;
    const wall = performance.now() - start;
    const cpu = cpuMsNow() - cpuStart;
    if (i > 0) { // iterations up to 0 warm up
      timesMs.push(wall);
      cpuMs.push(cpu);
    }
  }
  return { timesMs, cpuMs, maxRssBytes: peakRssBytes(), outputBytes: { deflated: compressed } };
}

/** Warm-up decode of the codec images: it compiles the codec's WebAssembly (JIT warm-up matters little here). */
const DECODE_WARM_UP_ITERATIONS = 1;

/** Our decoder on a compressed image: parse, then decode the frame to stored words (what a native decoder does). */
function decode(dicomBundle: string, imageFile: string, iterations: number): PhaseResult {
  const { parseDicom } = load<typeof dicomCore>(dicomBundle);
  const bytes = new Uint8Array(fs.readFileSync(imageFile));
  let decodedBytes = 0;
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 1 - DECODE_WARM_UP_ITERATIONS; i <= iterations; i++) {
    const cpuStart = cpuMsNow();
    const start = performance.now();
    decodedBytes = parseDicom(bytes).decodeFrame(0).samples.byteLength;
    const wall = performance.now() - start;
    const cpu = cpuMsNow() - cpuStart;
    if (i > 0) {
      timesMs.push(wall);
      cpuMs.push(cpu);
    }
  }
  return { timesMs, cpuMs, maxRssBytes: peakRssBytes(), outputBytes: { decoded: decodedBytes } };
}

/** A fresh process: load the ingest code, then the first and second call on one image. */
async function firstCall(prepareBundle: string, imageFile: string): Promise<PhaseResult> {
  const bytes = fs.readFileSync(imageFile);
  const loadStart = performance.now();
  const { prepareObject } = load<typeof ingestCore>(prepareBundle);
  const loaded = performance.now();
  const result = await prepareObject(bytes, { pseudonymKey: KEY });
  const firstDone = performance.now();
  await prepareObject(bytes, { pseudonymKey: KEY });
  const secondDone = performance.now();
  return {
    timesMs: [],
    maxRssBytes: peakRssBytes(),
    outputBytes: { preview: result.previewPng.length },
    loadMs: loaded - loadStart,
    firstCallMs: firstDone - loaded,
    secondCallMs: secondDone - firstDone,
  };
}

async function main(argv: readonly string[]): Promise<PhaseResult> {
  const [mode, a, b, n] = argv;
  if (mode === 'ours') return ours(a, b, Number(n));
  if (mode === 'floor') return floor(a, b, Number(n));
  if (mode === 'decode') return decode(a, b, Number(n));
  if (mode === 'first-call') return firstCall(a, b);
  throw new Error(`unknown phase ${mode}`);
}

void main(process.argv.slice(2)).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
