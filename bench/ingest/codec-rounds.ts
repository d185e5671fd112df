/**
 * Interleaved rounds of the codec part: in each round, for each codec image,
 * our decoder (a child process, as the ingest phases) and then each native
 * decoder on the full image and on its 16x16 twin (the process's fixed cost).
 */
import * as path from 'node:path';
import { BenchBundles } from './build';
import { availableDecoders, CodecImage, nativeOutput, NativeDecoder, writeCodecImages } from './codecs';
import { ChildResult, pythonEnv, runJson } from './spawn';
import { median } from './stats';

const PYTHON = '/usr/bin/python3';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODEC_ROUNDS = Number(process.env.BENCH_CODEC_ROUNDS ?? 5);
/** Decodes per child and round (a 2048x2048 lossless decode takes some 50-300 ms). */
const RUNS = Number(process.env.BENCH_CODEC_RUNS ?? 2);

/** Medians of one side in each round. */
export interface RoundFigures {
  readonly wallMs: number[];
  readonly cpuMs: number[];
}

export interface NativeFigures extends RoundFigures {
  readonly decoder: string;
  /** The same decoder on the 16x16 image: start-up, file reading and writing. */
  readonly fixed: RoundFigures;
}

export interface CodecFigures {
  readonly codec: string;
  readonly label: string;
  readonly fileBytes: number;
  readonly ours: RoundFigures;
  readonly natives: NativeFigures[];
}

export interface CodecReport {
  readonly rounds: number;
  readonly images: CodecFigures[];
  /** One line naming the native decoders that are not installed, if any. */
  readonly missing?: string;
}

const figures = (): RoundFigures => ({ wallMs: [], cpuMs: [] });

function add(target: RoundFigures, result: ChildResult): void {
  target.wallMs.push(median(result.timesMs));
  target.cpuMs.push(median(result.cpuMs ?? []));
}

function runNative(decoder: NativeDecoder, input: string, workDir: string): ChildResult {
  const args = decoder.args(input, nativeOutput(workDir, decoder));
  return runJson(PYTHON, [path.join(__dirname, 'native_decode.py'), String(RUNS), decoder.program, ...args], pythonEnv());
}

function inputOf(image: CodecImage, decoder: NativeDecoder, tiny: boolean): string {
  if (decoder.input === 'dcm') return tiny ? image.tinyDcm : image.dcm;
  return (tiny ? image.tinyCodestream : image.codestream)!;
}

export function runCodecRounds(workDir: string, bundles: BenchBundles, elapsed: () => string): CodecReport {
  const { available, missing } = availableDecoders();
  if (missing) process.stderr.write(`${missing}\n`);
  const images = writeCodecImages(workDir);
  // The bundle resolves the codec packages' WebAssembly files from the repo's node_modules.
  const oursEnv = { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules') };
  const results: CodecFigures[] = images.map((image) => ({
    codec: image.codec,
    label: image.label,
    fileBytes: image.fileBytes,
    ours: figures(),
    natives: available.filter((d) => d.codec === image.codec).map((d) => ({ decoder: d.name, ...figures(), fixed: figures() })),
  }));
  for (let round = 0; round < CODEC_ROUNDS; round++) {
    images.forEach((image, i) => {
      const decoders = available.filter((d) => d.codec === image.codec);
      const steps: Array<() => void> = [
        () => add(results[i].ours, runJson(process.execPath, [bundles.phase, 'decode', bundles.dicom, image.dcm, String(RUNS)], oursEnv)),
        ...decoders.map((decoder, k) => () => {
          add(results[i].natives[k], runNative(decoder, inputOf(image, decoder, false), workDir));
          add(results[i].natives[k].fixed, runNative(decoder, inputOf(image, decoder, true), workDir));
        }),
      ];
      for (const step of round % 2 === 0 ? steps : [...steps].reverse()) step();
    });
    process.stderr.write(`codec round ${round + 1}/${CODEC_ROUNDS} done (${elapsed()})\n`);
  }
  return { rounds: CODEC_ROUNDS, images: results, ...(missing ? { missing } : {}) };
}
