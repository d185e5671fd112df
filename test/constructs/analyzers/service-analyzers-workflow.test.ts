/**
 * The three AI-service analyzers in a whole AnalysisWorkflow: their batch
 * states run inside the workflow's maps (inline and Distributed), the
 * asynchronous SageMaker batches in Standard child workflows, and cdk-nag
 * stays clean for the whole.
 */
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { expectNoNagFindings } from '../../support/nag';
import { buildWorkflow, definitionOf, fixture } from '../workflow/workflow-fixture';

/** Each Distributed Map state's child execution type, by state name. */
function childTypes(node: unknown, found: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(node)) node.forEach((n) => childTypes(n, found));
  if (node === null || typeof node !== 'object') return found;
  type MapState = { ItemProcessor?: { ProcessorConfig?: { Mode?: string; ExecutionType?: string } } };
  const states = (node as { States?: Record<string, MapState> }).States ?? {};
  for (const [name, state] of Object.entries(states)) {
    const config = state.ItemProcessor?.ProcessorConfig;
    if (config?.Mode === 'DISTRIBUTED') found[name] = config.ExecutionType ?? '?';
  }
  Object.values(node).forEach((v) => childTypes(v, found));
  return found;
}

function build() {
  const f = fixture();
  const outputBucket = s3.Bucket.fromBucketName(f.stack, 'AsyncOut', 'cxr-async-results');
  return buildWorkflow({
    analyzers: [
      Analyzer.rekognition(),
      Analyzer.bedrock({ modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0' }),
      Analyzer.sageMakerEndpoint({ endpointName: 'cxr-detector' }),
      Analyzer.sageMakerEndpoint({ endpointName: 'cxr-async', asyncInference: { outputBucket, outputPrefix: 'async/out/', maxWait: Duration.minutes(10) } }),
    ],
  }, f);
}

test('every analyzer has its branch; batches of the asynchronous endpoint run in Standard children', () => {
  const { template } = build();
  const json = JSON.stringify(definitionOf(template));
  for (const state of ['Analyze rekognition', 'Analyze bedrock', 'Analyze cxr-detector', 'Submit cxr-async batch', 'Poll cxr-async outputs (large study)']) {
    expect(json).toContain(state);
  }
  expect(childTypes(definitionOf(template))).toEqual({
    'rekognition batches (large study)': 'EXPRESS',
    'bedrock batches (large study)': 'EXPRESS',
    'cxr-detector batches (large study)': 'EXPRESS',
    'cxr-async batches (large study)': 'STANDARD',
  });
});

test('cdk-nag finds nothing unacknowledged in a workflow with all of them', () => {
  const { stack } = build();
  expectNoNagFindings(stack.node.root as never);
});
