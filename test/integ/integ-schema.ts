/**
 * How the integ test apps (test/integ/integ.*.ts) synthesize for integ-runner
 * (see the integ:snapshot task in .projenrc.ts): as usual, then with their
 * cloud assembly labelled with the newest schema version integ-runner reads.
 *
 * Why the label is sound: the newest integ-runner on the registry (2.197.10)
 * bundles cloud-assembly-schema 53 and refuses a manifest of any later major
 * version, while aws-cdk-lib 2.276.0 writes 55, and no aws-cdk-lib that writes
 * 53 (2.257.0 and older) accepts the `Resource::` rule ids the constructs
 * acknowledge cdk-nag findings with. From 53.28.0 to 55.6.0 the cloud-assembly
 * and asset manifest schemas did not change at all; the majors moved for
 * additions integ-runner 2.197.10 never reads (an optional `allowDeleteFailures`
 * and a `destructive` approval level in integ.json, tree.json attribute names,
 * the validation report). A major this was not checked for stops the synth.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/** The newest schema version integ-runner 2.197.10 reads. */
export const RUNNER_SCHEMA_VERSION = '53.0.0';
/** Majors whose manifests were compared with schema 53 and read the same. */
export const CHECKED_MAJORS: readonly number[] = [53, 54, 55];

/** Manifests that carry the schema version: the assembly's, each asset manifest, and the integ manifest. */
function isVersionedManifest(file: string): boolean {
  return file === 'manifest.json' || file === 'integ.json' || file.endsWith('.assets.json');
}

/** Relabels every versioned manifest in `outdir`; returns the files changed. */
export function relabelAssembly(outdir: string): string[] {
  const changed: string[] = [];
  for (const file of fs.readdirSync(outdir).filter(isVersionedManifest).sort()) {
    const full = path.join(outdir, file);
    const manifest = JSON.parse(fs.readFileSync(full, 'utf-8')) as { version?: string };
    if (manifest.version === undefined) continue;
    const major = Number(manifest.version.split('.')[0]);
    if (!CHECKED_MAJORS.includes(major)) {
      throw new Error(`${file}: cloud assembly schema ${manifest.version} was not compared with schema 53 (checked: ${CHECKED_MAJORS.join(', ')}); ` +
        'compare the schemas again, or use an integ-runner that reads it.');
    }
    if (manifest.version === RUNNER_SCHEMA_VERSION) continue;
    fs.writeFileSync(full, JSON.stringify({ ...manifest, version: RUNNER_SCHEMA_VERSION }, null, 2));
    changed.push(file);
  }
  return changed;
}

/** Synthesizes `app` (into integ-runner's CDK_OUTDIR) and labels the result for integ-runner. */
export function synthForIntegRunner(app: App): void {
  relabelAssembly(app.synth().directory);
}
