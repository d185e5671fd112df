/**
 * Binding the AI-service analyzers outside a workflow: a stack with the real
 * ResultsStore (so cdk-nag sees the resources a pipeline has), the function an
 * analyzer created, its role's statements, and its batch states.
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IImageAnalyzer } from '../../../src/constructs/analyzers/image-analyzer';
import { ResultsStore } from '../../../src/constructs/results-store/results-store';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/**
 * Binds the analyzer in a stack with a ResultsStore. With `states`, its batch
 * states also go into a bare state machine (as the workflow would build them),
 * whose definition `states` returns; leave it off for cdk-nag tests (the bare
 * machine is not the workflow's).
 */
export function bindAnalyzer(analyzer: IImageAnalyzer, options: { readonly states?: boolean; readonly app?: App } = {}) {
  const app = options.app ?? new App();
  const stack = new Stack(app, 'Analyzers', { env: { account: ACCOUNT, region: REGION } });
  const store = new ResultsStore(stack, 'Store');
  const binding = analyzer.bind(stack, { derivedImagesBucket: store.derivedImagesBucket, encryptionKey: store.encryptionKey, idPrefix: 'A0' });
  const machine = options.states
    ? new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(binding.batchTask.createStates(stack, 'Batch', ' (test)')) })
    : undefined;
  const template = Template.fromStack(stack);
  const states = machine === undefined ? undefined : definitionOf(template, stack.getLogicalId(machine.node.defaultChild as CfnElement));
  return { app, stack, store, binding, template, states };
}

function definitionOf(template: Template, logicalId: string): Record<string, any> {
  const definition = template.findResources('AWS::StepFunctions::StateMachine')[logicalId].Properties.DefinitionString;
  const text = typeof definition === 'string' ? definition : (definition['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  return JSON.parse(text);
}

/** CloudFormation values with the partition and the stack's own ids written out, so ARNs compare as strings. */
export function flat(stack: Stack, value: unknown): unknown {
  const resolved = stack.resolve(value);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      const items = parts.map(walk);
      return items.every((i) => typeof i === 'string') ? items.join(sep) : { 'Fn::Join': [sep, items] };
    }
    if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if (o.Ref !== undefined) return `<${String(o.Ref)}>`;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(resolved);
}

/** The one function the analyzer created. */
export function analyzerFunction(template: Template): { id: string; props: Record<string, any> } {
  const functions = template.findResources('AWS::Lambda::Function');
  const ids = Object.keys(functions);
  if (ids.length !== 1) throw new Error(`expected one function, found ${ids.length}`);
  return { id: ids[0], props: functions[ids[0]].Properties };
}

/** The settings JSON in the function's environment (CloudFormation tokens written out). */
export function settingsOf(stack: Stack, template: Template): Record<string, any> {
  const raw = flat(stack, analyzerFunction(template).props.Environment.Variables.ANALYZER_SETTINGS);
  if (typeof raw !== 'string') throw new Error(`settings did not flatten: ${JSON.stringify(raw)}`);
  return JSON.parse(raw);
}

/** Every statement of the analyzer function's role, ARNs written out. */
export function roleStatements(stack: Stack, template: Template): Array<Record<string, any>> {
  const roleRef = analyzerFunction(template).props.Role['Fn::GetAtt'][0] as string;
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleRef))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
    .map((s) => flat(stack, s) as Record<string, any>);
}

/** Statements with any action of `service` (e.g. 'rekognition'). */
export function statementsFor(statements: Array<Record<string, any>>, service: string): Array<Record<string, any>> {
  const actions = (s: Record<string, any>) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[];
  return statements.filter((s) => actions(s).some((a) => a.startsWith(`${service}:`)));
}
