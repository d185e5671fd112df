/**
 * The synthesized state machine definition, executed locally (aws-local-
 * stepfunctions, through the local runner's workflow and Distributed Map
 * support) with the real step handlers on local DynamoDB and S3 engines and
 * in-process fake analyzers: failures, throttling, routing and timeouts end
 * the way the issue says, and no state grows with the study; a version a
 * re-analysis opened carries its order from "Select images" to every plan step.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { PutEventsEntry } from '../../../scripts/local-runner/aws-stand-ins';
import { CfnTemplate, LocalNames, resourcesOfType } from '../../../scripts/local-runner/template';
import { ExecutionRecord, LocalWorkflow, mapTaskStates } from '../../../scripts/local-runner/workflow';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { ClinicianNotifier } from '../../../src/constructs/notifier/clinician-notifier';
import { ResultsStore } from '../../../src/constructs/results-store/results-store';
import { AnalysisWorkflow } from '../../../src/constructs/workflow/analysis-workflow';
import { handleAggregateFindings } from '../../../src/runtime/handlers/workflow/aggregate-findings.lambda';
import { handleCollectAnalysis } from '../../../src/runtime/handlers/workflow/collect-analysis.lambda';
import { handleMarkFailed } from '../../../src/runtime/handlers/workflow/mark-failed.lambda';
import { handleNotifyOutcome } from '../../../src/runtime/handlers/workflow/notify-outcome.lambda';
import { handlePersistResults } from '../../../src/runtime/handlers/workflow/persist-results.lambda';
import { handlePlanAnalysis } from '../../../src/runtime/handlers/workflow/plan-analysis.lambda';
import { handleRecordBatch } from '../../../src/runtime/handlers/workflow/record-batch.lambda';
import { handleRequestReview } from '../../../src/runtime/handlers/workflow/request-review.lambda';
import { handleSelectImages } from '../../../src/runtime/handlers/workflow/select-images.lambda';
import { SafeLog } from '../../../src/runtime/lambda/logger';
import { openReanalysisVersion } from '../../../src/runtime/steps/reanalysis-open';
import { deleteObject, getStudy, putJson, recordInstance, recordStudyArrival, TableContext, transitionStudy } from '../../../src/runtime/storage';
import { AnalyzerInvocation, AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { executionName, instanceSk, StudyStatus } from '../../../src/shared/records';
import { AnalysisPlanRequest, AnalyzerOutcome, WorkflowStateWithResults } from '../../../src/shared/workflow';
import { LocalEngines, startLocalEngines, TEST_REGION } from '../../support/local-engines';
import { testStudyKey } from '../../support/study-keys';

const eventBridge = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);
const log: SafeLog = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
let engines: LocalEngines;
let table: TableContext;
beforeAll(async () => {
  engines = await startLocalEngines();
  table = { doc: engines.doc, tableName: engines.tableName };
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await engines.stop();
  eventBridge.restore();
  sns.restore();
});

type Behaviour = (invocation: AnalyzerInvocation, attempt: number) => Promise<AnalyzerResult>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const succeed = (invocation: AnalyzerInvocation, confidence = 0.95): AnalyzerResult => ({
  schemaVersion: '2.0',
  analyzerName: invocation.analyzerName,
  modelId: `${invocation.analyzerName}-model`,
  modelVersion: '1',
  status: AnalyzerStatus.SUCCEEDED,
  findings: invocation.batch.images.map((image) => ({ label: 'Finding', confidence, imageRef: image.imageRef })),
  durationMs: 1,
});
const named = (name: string, message = 'from the fake analyzer') => Object.assign(new Error(message), { name });

const BEHAVIOURS: Record<string, Behaviour> = {
  'steady': async (invocation) => succeed(invocation),
  'broken': async () => { throw named('ModelCrashed'); },
  // Throttled twice per batch, then it answers: the workflow's backoff must absorb it.
  'throttled': async (invocation, attempt) => {
    if (attempt <= 2) throw named('AnalyzerThrottledError');
    return succeed(invocation);
  },
  'chest-only': async (invocation) => succeed(invocation),
  'slow': async (invocation) => { await sleep(1500); return succeed(invocation); },
};

/** A workflow with one fake analyzer per behaviour, executed by the local runner's workflow engine. */
function buildLocalWorkflow(options: { batchSize?: number } = {}) {
  const app = new App();
  const stack = new Stack(app, 'DefinitionRun');
  const store = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: store.encryptionKey });
  const fakes = Object.keys(BEHAVIOURS).map((name) => ({
    name,
    fn: new lambda.Function(stack, `Fake-${name}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    }),
  }));
  const workflow = new AnalysisWorkflow(stack, 'Workflow', {
    resultsStore: store,
    notifier,
    analyzers: fakes.map(({ name, fn }) => Analyzer.lambdaFunction(fn, {
      name,
      batchSize: options.batchSize ?? 10,
      ...(name === 'chest-only' ? { applicability: { modalities: ['DX', 'CR'], bodyParts: ['CHEST'] } } : {}),
      ...(name === 'slow' ? { timeout: Duration.seconds(1) } : {}),
    })),
    reviewDeadlines: { routine: Duration.minutes(5) },
  });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const names = new LocalNames(template, stack.stackName);
  const id = (construct: lambda.IFunction) => stack.getLogicalId(construct.node.defaultChild as lambda.CfnFunction);
  const events = { client: new EventBridgeClient({ region: TEST_REGION }), busName: 'bus' };
  const messages = { client: new SNSClient({ region: TEST_REGION }), topicArn: 'arn:aws:sns:us-east-1:000000000000:topic' };
  const derivedBucket = engines.buckets.derived;
  const planRequests: AnalysisPlanRequest[] = [];
  const handlers: Record<string, (payload: never) => Promise<unknown>> = {
    [id(workflow.selectImagesFunction)]: handleSelectImages({ table, s3: engines.s3, derivedBucket, log }),
    [id(workflow.planAnalysisFunction)]: async (request: AnalysisPlanRequest) => {
      planRequests.push(request);
      return handlePlanAnalysis({ s3: engines.s3, log })(request);
    },
    [id(workflow.recordBatchFunction)]: handleRecordBatch({ s3: engines.s3, derivedBucket, log }),
    [id(workflow.collectAnalysisFunction)]: handleCollectAnalysis({ s3: engines.s3, derivedBucket, log }),
    [id(workflow.aggregateFindingsFunction)]: handleAggregateFindings({ s3: engines.s3, derivedBucket, log }),
    [id(workflow.requestReviewFunction)]: handleRequestReview({ table, events, messages, log }),
    [id(workflow.persistResultsFunction)]: handlePersistResults({ table, s3: engines.s3, reportsBucket: engines.buckets.reports, log }),
    [id(workflow.notifyOutcomeFunction)]: handleNotifyOutcome({ events, messages, log }),
    [id(workflow.markFailedFunction)]: handleMarkFailed({ table, events, messages, log }),
  };
  const calls: Record<string, number> = {};
  for (const { name, fn } of fakes) {
    handlers[id(fn)] = (async (invocation: AnalyzerInvocation) => {
      const key = `${name}/${invocation.study.studyKey}/${invocation.batch.index}`;
      calls[key] = (calls[key] ?? 0) + 1;
      return BEHAVIOURS[name](invocation, calls[key]);
    }) as never;
  }
  const [stateMachineId, stateMachine] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine')[0];
  const definition = JSON.parse(String(names.resolve(stateMachine.Properties?.DefinitionString)));
  const busEvents: PutEventsEntry[] = [];
  const local = new LocalWorkflow({
    stateMachineArn: names.arn(stateMachineId),
    definition,
    mappings: mapTaskStates(definition, (arn) => names.functionOf(arn)),
    invokeFunction: (logicalId, payload) => handlers[logicalId](payload as never),
    functionByName: (name) => names.functionOf(name),
    putEvents: (entries) => {
      busEvents.push(...entries);
      return entries.map(() => 'event');
    },
    review: { mode: 'approve', delayMs: 10 },
    // The map reads the batches the plan step wrote to the test's derived bucket.
    readObject: async (_bucket, key) => {
      const object = await engines.s3.send(new GetObjectCommand({ Bucket: derivedBucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    retryIntervalMs: 20,
  });
  return { local, calls, busEvents, planRequests, stateMachineArn: names.arn(stateMachineId) };
}

let counter = 0;
/** A READY study of `count` CT images in one series. */
async function readyStudy(count: number): Promise<string> {
  const studyKey = testStudyKey(`definition-run-${++counter}`);
  const at = '2025-06-01T09:00:00.000Z';
  for (let i = 1; i <= count; i++) {
    const prefix = `studies/${studyKey}/s/i${i}/`;
    await recordInstance(table, {
      studyKey,
      seriesKey: 's',
      instanceKey: `i${i}`,
      kind: 'dicom',
      modality: 'CT',
      width: 512,
      height: 512,
      analysisWidth: 512,
      analysisHeight: 512,
      previewKey: `${prefix}preview.png`,
      analysisKey: `${prefix}analysis.png`,
      metadataKey: `${prefix}metadata.json`,
      sourceSha256: '0',
      instanceNumber: i,
      receivedAt: at,
    });
  }
  await recordStudyArrival(table, { studyKey, instanceSk: instanceSk('s', 'i1'), arrivedAt: at, singleImage: false, now: at });
  await transitionStudy(table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: at });
  return studyKey;
}

type Built = { local: LocalWorkflow; stateMachineArn: string };
async function execute({ local, stateMachineArn }: Built, studyKey: string, version = 1): Promise<ExecutionRecord> {
  local.start({ stateMachineArn, name: executionName(studyKey, version), input: JSON.stringify({ studyKey, version }) });
  const record = local.executions.get(executionName(studyKey, version))!;
  await record.done;
  if (record.status !== 'SUCCEEDED') throw new Error(`execution ${record.status}: ${record.error} ${record.cause} after ${record.statesEntered.slice(-3).join(', ')}`);
  return record;
}

const outcomes = (record: ExecutionRecord) =>
  Object.fromEntries((record.output as WorkflowStateWithResults).results.map((o: AnalyzerOutcome) => [o.analyzerName, o]));

test('one analyzer throwing, one throttled, one not applicable and one too slow: the study completes with every outcome recorded', async () => {
  const built = buildLocalWorkflow();
  const { calls } = built;
  const studyKey = await readyStudy(3);
  const record = await execute(built, studyKey);
  expect(record.status).toBe('SUCCEEDED');

  const byName = outcomes(record);
  expect(byName.steady).toMatchObject({ status: 'SUCCEEDED', findingCount: 3, imageCount: 3 });
  expect(byName.broken).toMatchObject({ status: 'FAILED', errorCode: 'ANALYZER_ERROR', findingCount: 0 });
  expect(byName.throttled).toMatchObject({ status: 'SUCCEEDED', findingCount: 3 });
  expect(record.retries['Analyze throttled batch']).toBe(2);
  expect(calls[`throttled/${studyKey}/0`]).toBe(3);
  expect(byName['chest-only']).toMatchObject({ status: 'SKIPPED', skipReason: 'MODALITY_NOT_APPLICABLE', imageCount: 0 });
  expect(Object.keys(calls).some((k) => k.startsWith('chest-only/'))).toBe(false);
  expect(byName.slow).toMatchObject({ status: 'FAILED', errorCode: 'TIMEOUT' });
  expect(record.retries['Analyze slow batch']).toBe(1); // one more try after a timeout, then FAILED

  const state = record.output as WorkflowStateWithResults;
  expect(state.aggregate).toMatchObject({ succeeded: ['steady', 'throttled'], failed: ['broken', 'slow'], skipped: ['chest-only'], reviewRequired: true });
  // A failed analyzer holds the study for review; the local desk approved it, so the report is final.
  expect(state.review).toMatchObject({ decision: 'APPROVED' });
  expect(await getStudy(table, studyKey)).toMatchObject({ status: 'COMPLETED' });
}, 60_000);

test('a selection above the inline limit runs as a Distributed Map of child executions; the state stays small', async () => {
  const built = buildLocalWorkflow({ batchSize: 5 });
  const studyKey = await readyStudy(45);
  const record = await execute(built, studyKey);
  expect(record.status).toBe('SUCCEEDED');
  const byName = outcomes(record);
  expect(byName.steady).toMatchObject({ status: 'SUCCEEDED', findingCount: 45, imageCount: 45 });
  expect(byName.throttled).toMatchObject({ status: 'SUCCEEDED', findingCount: 45 });
  // 9 batches for each of the four analyzers that apply.
  expect(record.childExecutions).toBe(36);
  expect(record.statesEntered).toContain('steady batches (large study)');
  expect(record.statesEntered).not.toContain('steady batches');
  expect(record.largestStatePayloadBytes).toBeLessThan(16 * 1024);
}, 60_000);

test('a re-analysis version: the order reaches every plan step in $.study; only the analyzer asked for runs, the others carry over or skip', async () => {
  const built = buildLocalWorkflow();
  const { calls, planRequests } = built;
  const studyKey = await readyStudy(2);
  await execute(built, studyKey);
  // A normal version's study says nothing of a re-analysis.
  expect(planRequests.filter((request) => request.study.studyKey === studyKey).map((request) => 'reanalysis' in request.study)).toEqual([false, false, false, false, false]);
  expect(await getStudy(table, studyKey)).toMatchObject({ status: 'COMPLETED', version: 1 });

  const derivedBucket = engines.buckets.derived;
  // Opening checks the analysis images are stored; placeholders stand in while it checks (a report would embed them: they go again).
  const images = [1, 2].map((i) => ({ bucket: derivedBucket, key: `studies/${studyKey}/s/i${i}/analysis.png` }));
  for (const image of images) await putJson(engines.s3, image, 'png');
  await openReanalysisVersion({ table, s3: engines.s3, derivedBucket }, { runId: 'run-def', analyzers: ['steady'], study: { studyKey } });
  for (const image of images) await deleteObject(engines.s3, image);
  planRequests.length = 0;
  const before = { ...calls };
  const record = await execute(built, studyKey, 2);

  const order = { runId: 'run-def', previousVersion: 1, analyzers: ['steady'] };
  expect(planRequests).toHaveLength(5);
  for (const request of planRequests) expect(request.study).toMatchObject({ studyKey, version: 2, reanalysis: order });
  const byName = outcomes(record);
  expect(byName.steady).toMatchObject({ status: 'SUCCEEDED', findingCount: 2, imageCount: 2 });
  expect(calls[`steady/${studyKey}/0`]).toBe(before[`steady/${studyKey}/0`] + 1);
  // throttled is not asked for: its version-1 result carries over without one more call.
  expect(byName.throttled).toMatchObject({ status: 'SUCCEEDED', findingCount: 2, modelId: 'throttled-model' });
  expect(calls[`throttled/${studyKey}/0`]).toBe(before[`throttled/${studyKey}/0`]);
  expect(calls[`broken/${studyKey}/0`]).toBe(before[`broken/${studyKey}/0`]);
  expect(byName['chest-only']).toMatchObject({ status: 'SKIPPED' });
  expect(record.largestStatePayloadBytes).toBeLessThan(16 * 1024);
}, 60_000);
