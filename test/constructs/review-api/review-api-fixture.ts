/** A stack with the real store, notifier and workflow, and the ReviewApi under test. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { ClinicianNotifier } from '../../../src/constructs/notifier/clinician-notifier';
import { ResultsStore } from '../../../src/constructs/results-store/results-store';
import { ReviewApi, ReviewApiProps } from '../../../src/constructs/review-api/review-api';
import { AnalysisWorkflow } from '../../../src/constructs/workflow/analysis-workflow';

type Overrides = Partial<Omit<ReviewApiProps, 'workflow' | 'resultsStore' | 'notifier'>>;

/** `overrides` may be a function of the stack, for props that are resources of the same stack (a user pool). */
export function buildReviewApi(overrides: Overrides | ((stack: Stack) => Overrides) = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
  const store = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: store.encryptionKey });
  const workflow = new AnalysisWorkflow(stack, 'Workflow', { resultsStore: store, notifier, analyzers: [Analyzer.imageQuality()] });
  const reviewApi = new ReviewApi(stack, 'Review', {
    workflow,
    resultsStore: store,
    notifier,
    ...(typeof overrides === 'function' ? overrides(stack) : overrides),
  });
  let template: Template | undefined;
  // Synthesized on first use, so a test may add to the stack (a grantee, say) before reading it.
  return { app, stack, store, notifier, workflow, reviewApi, get template(): Template { return template ??= Template.fromStack(stack); } };
}

export type Built = ReturnType<typeof buildReviewApi>;

export function logicalIdOf(built: Built, construct: { node: { defaultChild?: unknown } }): string {
  return built.stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
}

/** The methods of the API by `<HTTP method> <path>`. */
export function methodsByRoute(built: Built): Record<string, Record<string, unknown>> {
  const resources = built.template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (id === undefined) return '';
    const resource = resources[id];
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  const methods = built.template.findResources('AWS::ApiGateway::Method');
  return Object.fromEntries(Object.values(methods).map((m) => [`${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`, m.Properties]));
}
