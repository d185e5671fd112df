/**
 * A stack with the real ResultsStore and ClinicianNotifier, and helpers to read
 * the synthesized state machine definition.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IImageAnalyzer } from '../../../src/constructs/analyzers/image-analyzer';
import { ClinicianNotifier } from '../../../src/constructs/notifier/clinician-notifier';
import { ResultsStore } from '../../../src/constructs/results-store/results-store';
import { AnalysisWorkflow, AnalysisWorkflowProps } from '../../../src/constructs/workflow/analysis-workflow';

export interface WorkflowFixture {
  readonly stack: Stack;
  readonly store: ResultsStore;
  readonly notifier: ClinicianNotifier;
}

export function fixture(): WorkflowFixture {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
  const store = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: store.encryptionKey });
  return { stack, store, notifier };
}

export type WorkflowOverrides = Partial<Omit<AnalysisWorkflowProps, 'resultsStore' | 'notifier'>> & {
  readonly analyzers: IImageAnalyzer[];
};

export function buildWorkflow(overrides: WorkflowOverrides, f: WorkflowFixture = fixture()) {
  const workflow = new AnalysisWorkflow(f.stack, 'Workflow', {
    resultsStore: f.store,
    notifier: f.notifier,
    ...overrides,
  });
  const template = Template.fromStack(f.stack);
  return { ...f, workflow, template };
}

// ---- Amazon States Language, as much of it as the assertions read.
export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Result?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string;
  readonly TimeoutSeconds?: number;
  readonly Retry?: Array<Record<string, unknown> & { ErrorEquals: string[] }>;
  readonly Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string | null }>;
  readonly Branches?: AslMachine[];
  readonly Choices?: Array<Record<string, unknown> & { Next: string }>;
  readonly Default?: string;
  readonly Error?: string;
}
export interface AslMachine {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly QueryLanguage?: string;
  readonly TimeoutSeconds?: number;
}

/** Tokens inside the definition (function ARNs, bus names) become this marker. */
export const TOKEN = '<token>';

export function definitionOf(template: Template): AslMachine {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const ids = Object.keys(machines);
  if (ids.length !== 1) throw new Error(`expected one state machine, found ${ids.length}`);
  const body = machines[ids[0]].Properties.DefinitionString as unknown;
  return JSON.parse(flatten(body)) as AslMachine;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : TOKEN)).join(join[0]);
  throw new Error(`unexpected definition shape: ${JSON.stringify(value).slice(0, 200)}`);
}

/** Every IAM statement attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

export function actionsOf(statements: Array<Record<string, unknown>>): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? (s.Action as string[]) : [s.Action as string]));
}
