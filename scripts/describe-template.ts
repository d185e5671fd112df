/** Summarises a synthesized CloudFormation template for people. */

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource> };

export interface TemplateDescription {
  readonly resourceCounts: Array<[string, number]>;
  readonly functions: string[];
  readonly states: string[];
  readonly total: number;
}

export function describeTemplate(template: Template): TemplateDescription {
  const resources = Object.entries(template.Resources ?? {});
  const counts = new Map<string, number>();
  for (const [, r] of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  const functions = resources
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const p = r.Properties ?? {};
      const arch = (p.Architectures as string[] | undefined)?.join(',') ?? 'x86_64';
      const reserved = p.ReservedConcurrentExecutions ?? 'unreserved';
      return `${id}  ${String(p.Runtime)} ${arch} ${String(p.MemorySize ?? 128)} MB, reserved ${String(reserved)}`;
    });
  const states = resources
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .flatMap(([, r]) => stateNames(r.Properties?.DefinitionString));
  return {
    resourceCounts: [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])),
    functions,
    states,
    total: resources.length,
  };
}

/** State names of a definition that may be an Fn::Join of strings and tokens. */
function stateNames(definition: unknown): string[] {
  const text = flattenJoin(definition);
  const names: string[] = [];
  const re = /"([^"]+)":\{"(?:Next|End|Type|Retry|Catch|Parameters|Resource|Branches|Choices|Result|ResultPath|OutputPath|InputPath|Cause|Error|Comment|TimeoutSeconds|HeartbeatSeconds)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!['States', 'Parameters', 'Result', 'Detail'].includes(m[1]) && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

function flattenJoin(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && 'Fn::Join' in node) {
    const [, parts] = (node as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  }
  return '';
}

export function printDescription(d: TemplateDescription): void {
  const out: string[] = [];
  out.push(`Example stack: ${d.total} resources`);
  for (const [type, n] of d.resourceCounts) out.push(`  ${String(n).padStart(3)}  ${type}`);
  out.push('', 'Lambda functions:');
  for (const f of d.functions) out.push(`  ${f}`);
  out.push('', `Analysis workflow states (${d.states.length}):`, `  ${d.states.join(' -> ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
