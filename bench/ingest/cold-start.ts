/**
 * What a cold Lambda pays before and at its first object: the ingest
 * handler bundle's size and module-load time (against an empty `node -e ""`),
 * and load + first prepareObject call on the uncompressed CT in a fresh process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runJson, wallMs } from './spawn';
import { median } from './stats';

export const HANDLER_BUNDLE = 'assets/ingest/ingest.lambda/index.js';

export interface ColdStart {
  readonly bundleBytes: number;
  readonly emptyNodeMs: number;
  readonly handlerNodeMs: number;
  /** handlerNodeMs - emptyNodeMs: the handler module's own load cost. */
  readonly addedLoadMs: number;
  /** Of that, loading the AWS SDK packages the bundle leaves external (the Lambda runtime provides them). */
  readonly sdkLoadMs: number;
  /** Fresh process: require of the ingest-core bundle, then the first and second call on the CT. */
  readonly prepareLoadMs: number;
  readonly firstCallMs: number;
  readonly secondCallMs: number;
}

export function measureColdStart(repoRoot: string, phaseBundle: string, prepareBundle: string, ctFile: string, runs: number): ColdStart {
  const bundle = path.join(repoRoot, HANDLER_BUNDLE);
  if (!fs.existsSync(bundle)) throw new Error(`${HANDLER_BUNDLE} is missing: run "npx projen bundle" first`);
  const sdkRequires = [...new Set(fs.readFileSync(bundle, 'utf8').match(/require\("@aws-sdk\/[^"]+"\)/g) ?? [])].join(';');
  const empty: number[] = [];
  const handler: number[] = [];
  const sdk: number[] = [];
  // Interleaved, so a busy moment on the machine hits both sides alike.
  for (let i = 0; i < runs; i++) {
    empty.push(wallMs(process.execPath, ['-e', ''], { cwd: repoRoot }));
    handler.push(wallMs(process.execPath, ['-e', `require('./${HANDLER_BUNDLE}')`], { cwd: repoRoot }));
    sdk.push(wallMs(process.execPath, ['-e', sdkRequires], { cwd: repoRoot }));
  }
  const first = Array.from({ length: Math.max(3, Math.ceil(runs / 2)) }, () => runJson(process.execPath, [phaseBundle, 'first-call', prepareBundle, ctFile]));
  return {
    bundleBytes: fs.statSync(bundle).size,
    emptyNodeMs: median(empty),
    handlerNodeMs: median(handler),
    addedLoadMs: median(handler) - median(empty),
    sdkLoadMs: median(sdk) - median(empty),
    prepareLoadMs: median(first.map((r) => r.loadMs ?? NaN)),
    firstCallMs: median(first.map((r) => r.firstCallMs ?? NaN)),
    secondCallMs: median(first.map((r) => r.secondCallMs ?? NaN)),
  };
}
