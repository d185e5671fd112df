/**
 * What a cold Lambda pays before and at its first object: the ingest
 * handler bundle's size and module-load time (against an empty `node -e ""`,
 * and against the same handler loading the runtime's external AWS SDK), and
 * load + first prepareObject call on the uncompressed CT in a fresh process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchBundles } from './build';
import { runJson, wallMs } from './spawn';
import { median } from './stats';

export const HANDLER_BUNDLE = 'assets/ingest/ingest.lambda/index.js';

export interface ColdStart {
  readonly bundleBytes: number;
  readonly emptyNodeMs: number;
  readonly handlerNodeMs: number;
  /** handlerNodeMs - emptyNodeMs: the handler module's own load cost. */
  readonly addedLoadMs: number;
  /** Baseline: the same handler loading the AWS SDK from node_modules (as the Lambda runtime provides it), over node -e "". */
  readonly runtimeSdkAddedLoadMs: number;
  /** Fresh process: require of the ingest-core bundle, then the first and second call on the CT. */
  readonly prepareLoadMs: number;
  readonly firstCallMs: number;
  readonly secondCallMs: number;
}

export function measureColdStart(repoRoot: string, bundles: BenchBundles, ctFile: string, runs: number): ColdStart {
  const bundle = path.join(repoRoot, HANDLER_BUNDLE);
  if (!fs.existsSync(bundle)) throw new Error(`${HANDLER_BUNDLE} is missing: run "npx projen bundle" first`);
  // The baseline lives outside the repo: NODE_PATH lets it find the SDK in node_modules.
  const runtimeSdkEnv = { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') };
  const empty: number[] = [];
  const handler: number[] = [];
  const runtimeSdk: number[] = [];
  // Interleaved, so a busy moment on the machine hits all sides alike.
  for (let i = 0; i < runs; i++) {
    empty.push(wallMs(process.execPath, ['-e', ''], { cwd: repoRoot }));
    handler.push(wallMs(process.execPath, ['-e', `require('./${HANDLER_BUNDLE}')`], { cwd: repoRoot }));
    runtimeSdk.push(wallMs(process.execPath, ['-e', `require(${JSON.stringify(bundles.runtimeSdkHandler)})`], { cwd: repoRoot, env: runtimeSdkEnv }));
  }
  const first = Array.from({ length: Math.max(3, Math.ceil(runs / 2)) }, () => runJson(process.execPath, [bundles.phase, 'first-call', bundles.prepare, ctFile]));
  return {
    bundleBytes: fs.statSync(bundle).size,
    emptyNodeMs: median(empty),
    handlerNodeMs: median(handler),
    addedLoadMs: median(handler) - median(empty),
    runtimeSdkAddedLoadMs: median(runtimeSdk) - median(empty),
    prepareLoadMs: median(first.map((r) => r.loadMs ?? NaN)),
    firstCallMs: median(first.map((r) => r.firstCallMs ?? NaN)),
    secondCallMs: median(first.map((r) => r.secondCallMs ?? NaN)),
  };
}
