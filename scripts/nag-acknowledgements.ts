/**
 * Counts the cdk-nag acknowledgements in the synthesized example app and prints
 * them by rule with their reasons (`npx projen nag:acknowledgements`).
 *
 * Counted three ways, since "how many" depends on the unit:
 *   - placements: one per (construct path, finding id), as recorded in the tree
 *     (an `AwsSolutions-IAM5[Resource::...]` id names one finding of a rule);
 *   - findings: distinct finding ids, wherever they sit;
 *   - rules: distinct rule ids (the finding part dropped), per pack too.
 */
import { App, CfnResource } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/app';
import { Acknowledgement, acknowledgements, nagFindings } from '../test/support/nag';

export interface AcknowledgementCount {
  readonly placements: number;
  readonly findings: number;
  readonly rules: number;
  /** Placements by pack (the part of the rule id before the first '-'). */
  readonly byPack: Record<string, number>;
  /** By rule: how many placements, and each distinct reason with how often it is given. */
  readonly byRule: Record<string, { readonly placements: number; readonly reasons: Record<string, number> }>;
}

/** `AwsSolutions-IAM5[Resource::*]` -> `AwsSolutions-IAM5`. */
export function ruleOf(findingId: string): string {
  return findingId.replace(/\[.*\]$/s, '');
}

export function countAcknowledgements(acks: readonly Acknowledgement[]): AcknowledgementCount {
  const byPack: Record<string, number> = {};
  const byRule: Record<string, { placements: number; reasons: Record<string, number> }> = {};
  for (const ack of acks) {
    const rule = ruleOf(ack.id);
    const pack = rule.slice(0, rule.indexOf('-'));
    byPack[pack] = (byPack[pack] ?? 0) + 1;
    const entry = (byRule[rule] ??= { placements: 0, reasons: {} });
    entry.placements++;
    entry.reasons[ack.reason] = (entry.reasons[ack.reason] ?? 0) + 1;
  }
  return {
    placements: acks.length,
    findings: new Set(acks.map((a) => a.id)).size,
    rules: Object.keys(byRule).length,
    byPack,
    byRule,
  };
}

export interface FunctionShare {
  /** Placements on a function, its role or the role's policy. */
  readonly onFunctions: number;
  /** Placements elsewhere (buckets, queues, state machines, the API...). */
  readonly elsewhere: number;
  /** Placements per function: fewest, median, most. */
  readonly perFunction: { readonly min: number; readonly median: number; readonly max: number };
}

/**
 * Splits the placements into those that come with each Lambda function (given
 * by the paths of the function constructs) and the rest: the first grow with
 * every function a feature adds, the rest with the infrastructure.
 */
export function shareOfFunctions(acks: readonly Acknowledgement[], functionPaths: readonly string[]): FunctionShare {
  const counts = functionPaths.map((fn) => acks.filter((a) => a.path === fn || a.path.startsWith(`${fn}/`)).length).sort((a, b) => a - b);
  const onFunctions = counts.reduce((sum, n) => sum + n, 0);
  const middle = counts.length === 0 ? 0 : counts[Math.floor((counts.length - 1) / 2)];
  return {
    onFunctions,
    elsewhere: acks.length - onFunctions,
    perFunction: { min: counts[0] ?? 0, median: middle, max: counts[counts.length - 1] ?? 0 },
  };
}

function main(): void {
  const { app, stack } = buildExampleApp(new App());
  const unacknowledged = nagFindings(app).length;
  const resources = stack.node.findAll().filter(CfnResource.isCfnResource);
  const functionPaths = resources.filter((r) => r.cfnResourceType === 'AWS::Lambda::Function').map((r) => r.node.scope!.node.path);
  const functions = functionPaths.length;
  const acks = acknowledgements(app);
  const count = countAcknowledgements(acks);
  const share = shareOfFunctions(acks, functionPaths);
  const out: string[] = [
    `cdk-nag on the example app (${resources.length} resources, ${functions} Lambda functions): ${unacknowledged} unacknowledged finding(s)`,
    `acknowledgements: ${count.placements} placements (construct x finding id), ${count.findings} distinct finding ids, ${count.rules} distinct rules`,
    `by pack: ${Object.entries(count.byPack).map(([pack, n]) => `${pack} ${n}`).join(', ')}`,
    `on the ${functions} functions (function, role, policy): ${share.onFunctions}, per function ${share.perFunction.min} / ${share.perFunction.median} / ${share.perFunction.max} (min / median / max); elsewhere: ${share.elsewhere}`,
    '',
  ];
  for (const [rule, entry] of Object.entries(count.byRule).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`${rule}: ${entry.placements}`);
    for (const [reason, n] of Object.entries(entry.reasons).sort(([, a], [, b]) => b - a)) out.push(`  ${n} x ${reason}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (unacknowledged > 0) process.exitCode = 1;
}

if (require.main === module) main();
