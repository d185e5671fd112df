/**
 * Bundles the measured code with esbuild the way the Lambda asset is built
 * (platform node, one file), so no ts-node compilation runs inside a timed process.
 */
import * as path from 'node:path';
// The benchmark is a dev tool, never shipped: a devDependency is right here.
// eslint-disable-next-line import/no-extraneous-dependencies
import { buildSync } from 'esbuild';

export interface BenchBundles {
  /** src/core/preparation as one CommonJS file exporting prepareObject. */
  readonly prepare: string;
  /** src/core/dicom as one CommonJS file exporting parseDicom (the codec images' decode phase). */
  readonly dicom: string;
  /** bench/ingest/phase.ts: the per-phase child process. */
  readonly phase: string;
  /**
   * The ingest handler packaged the way Lambda handlers usually are: the AWS SDK
   * left to the runtime's node_modules (CommonJS, whole clients). The cold-start
   * baseline for the shipped asset, which bundles the SDK it uses.
   */
  readonly runtimeSdkHandler: string;
}

export function buildBundles(repoRoot: string, outDir: string): BenchBundles {
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' } as const;
  const prepare = path.join(outDir, 'prepare.js');
  const phase = path.join(outDir, 'phase.js');
  buildSync({ ...common, entryPoints: [path.join(repoRoot, 'src/core/preparation/index.ts')], outfile: prepare });
  buildSync({ ...common, entryPoints: [path.join(repoRoot, 'bench/ingest/phase.ts')], outfile: phase });
  const dicom = path.join(outDir, 'dicom.js');
  buildSync({ ...common, entryPoints: [path.join(repoRoot, 'src/core/dicom/index.ts')], outfile: dicom });
  const runtimeSdkHandler = path.join(outDir, 'runtime-sdk-handler.js');
  buildSync({
    ...common,
    entryPoints: [path.join(repoRoot, 'src/runtime/handlers/ingest/ingest.lambda.ts')],
    outfile: runtimeSdkHandler,
    external: ['@aws-sdk/*', '@cornerstonejs/*', 'jpeg-lossless-decoder-js'],
  });
  return { prepare, dicom, phase, runtimeSdkHandler };
}
