/**
 * Runs the three cdk-nag packs the library commits to (AwsSolutions,
 * HIPAA.Security, NIST.800.53.R5) over an App and reports every unacknowledged
 * finding, errors and warnings alike (synth would only stop on errors).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

export function nagPacks(app: App): NagPack[] {
  return [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app)];
}

/** Every finding of the three packs that no acknowledgement covers. */
export function nagFindings(app: App): NagFinding[] {
  // validateScope is cdk-nag's documented entry point for tests; it reads the
  // same acknowledgements as the synth-time plugin.
  return nagPacks(app).flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        path: resource.constructPath ?? '?',
        description: violation.description,
      })),
    ),
  );
}

export function formatFindings(findings: NagFinding[]): string {
  return findings.map((f) => `  [${f.severity}] ${f.rule} at ${f.path}: ${f.description}`).join('\n');
}

/** Fails with a readable list when any finding is left unacknowledged. */
export function expectNoNagFindings(app: App): void {
  const findings = nagFindings(app);
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged cdk-nag finding(s):\n${formatFindings(findings)}`);
  }
}

/** Every acknowledgement recorded in the construct tree, with where it sits. */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Registers the packs as synth-time validation plugins too (synth then throws on errors). */
export function addNagPlugins(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}
