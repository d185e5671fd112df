/**
 * Held studies in real local engines (dynalite, s3rver) for the review API
 * handlers: an analyzer result and its triage in S3, instances with previews,
 * and the review requested by the workflow's own step (token in the table).
 * EventBridge, SNS and Step Functions are aws-sdk-client-mock stand-ins.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { thresholdRules, triageFindings } from '../../../../src/core/findings';
import { persistResults } from '../../../../src/runtime/steps/persist-results';
import { requestReview } from '../../../../src/runtime/steps/request-review';
import { ApiEvent } from '../../../../src/runtime/steps/review-api/api-io';
import { countNewInstance, recordInstance, recordStudyArrival, TableContext, transitionStudy } from '../../../../src/runtime/storage';
import { putJson } from '../../../../src/runtime/storage/objects';
import { getReview } from '../../../../src/runtime/storage/reviews';
import { ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerResult, AnalyzerStatus } from '../../../../src/shared/analyzer-result';
import { FindingRule } from '../../../../src/shared/finding-rules';
import { instanceSk, StudyStatus } from '../../../../src/shared/records';
import { AggregateSummary, AnalyzerOutcome, PersistedReport } from '../../../../src/shared/workflow';
import { validateEventEntry } from '../../../support/event-schemas';
import { LocalEngines, startLocalEngines, TEST_REGION } from '../../../support/local-engines';
import { testStudyKey } from '../../../support/study-keys';

export const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAcV-review-api-task-token-kept-in-the-table';
export const REVIEWER_ARN = 'arn:aws:sts::111122223333:assumed-role/Radiologist/dr-chen';
export const NOW = new Date('2025-09-01T08:00:00.000Z');
/** Bytes of the preview objects (what a presigned URL must return). */
export const PREVIEW_BYTES = Buffer.from('\x89PNG\r\n\x1a\n-preview-bytes-of-a-de-identified-image', 'latin1');

export { recordingLog } from '../analyzers/support';

const serviceMocks = () => ({ eventBridge: mockClient(EventBridgeClient), sns: mockClient(SNSClient), sfn: mockClient(SFNClient) });
type ServiceMocks = ReturnType<typeof serviceMocks>;

export interface ReviewApiTestbed extends ServiceMocks {
  readonly engines: LocalEngines;
  readonly table: TableContext;
  readonly events: () => { client: EventBridgeClient; busName: string };
  readonly messages: () => { client: SNSClient; topicArn: string };
  /** Every event, message and task answer sent, as one string (for "no token anywhere" checks). */
  readonly sent: () => string;
}

/** Starts the engines and mocks for one test file (call at module level). */
export function reviewApiTestbed(): ReviewApiTestbed {
  const { eventBridge, sns, sfn } = serviceMocks();
  const bed = {
    eventBridge,
    sns,
    sfn,
    events: () => ({ client: new EventBridgeClient({ region: TEST_REGION }), busName: 'bus' }),
    messages: () => ({ client: new SNSClient({ region: TEST_REGION }), topicArn: 'arn:aws:sns:us-east-1:111122223333:topic' }),
    sent: () => JSON.stringify([
      ...eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input),
      ...sns.commandCalls(PublishCommand).map((c) => c.args[0].input),
      ...sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.output),
    ]),
  } as Partial<ReviewApiTestbed> as { -readonly [K in keyof ReviewApiTestbed]: ReviewApiTestbed[K] };
  beforeAll(async () => {
    bed.engines = await startLocalEngines();
    bed.table = { doc: bed.engines.doc, tableName: bed.engines.tableName };
  });
  // Every event a review test publishes must match its contract in schemas/events/.
  afterEach(() => {
    for (const call of eventBridge.commandCalls(PutEventsCommand)) for (const entry of call.args[0].input.Entries ?? []) validateEventEntry(entry);
  });
  afterAll(async () => {
    await bed.engines.stop();
    eventBridge.restore();
    sns.restore();
    sfn.restore();
  });
  beforeEach(() => {
    eventBridge.reset();
    sns.reset();
    sfn.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    sfn.on(SendTaskSuccessCommand).resolves({});
  });
  return bed;
}

let counter = 0;

export interface HeldStudyOptions {
  readonly findings?: ReadonlyArray<Pick<AnalyzerFinding, 'label' | 'confidence'> & { readonly imageRef?: string }>;
  readonly rules?: FindingRule[];
  /** Instances recorded (with previews): `s1/i1`, `s1/i2`, ... @default 2 */
  readonly images?: number;
  readonly deadlineSeconds?: number;
  /** Let the deadline pass: the workflow's timeout path persists a preliminary report (OVERDUE). */
  readonly overdue?: boolean;
}

export interface HeldStudy {
  readonly studyKey: string;
  readonly version: number;
  readonly imageRefs: string[];
  readonly previewKeys: string[];
}

/** An IN_REVIEW study whose review is PENDING (the token stored), or OVERDUE after a preliminary report. */
export async function heldStudy(bed: ReviewApiTestbed, options: HeldStudyOptions = {}): Promise<HeldStudy> {
  const studyKey = testStudyKey(`held${++counter}${Date.now().toString(36)}`);
  const at = NOW.toISOString();
  const imageCount = options.images ?? 2;
  const imageRefs = Array.from({ length: imageCount }, (_, i) => `s1/i${i + 1}`);
  const previewKeys = imageRefs.map((ref) => `studies/${studyKey}/${ref}/preview.png`);
  await recordStudyArrival(bed.table, { studyKey, instanceSk: instanceSk('s1', 'i1'), arrivedAt: at, singleImage: imageCount === 1, modality: 'DX', now: at });
  for (const [i, ref] of imageRefs.entries()) {
    const [seriesKey, instanceKey] = ref.split('/');
    await recordInstance(bed.table, {
      studyKey,
      seriesKey,
      instanceKey,
      kind: 'dicom',
      modality: 'DX',
      width: 64,
      height: 48,
      analysisWidth: 64,
      analysisHeight: 48,
      previewKey: previewKeys[i],
      analysisKey: `studies/${studyKey}/${ref}/analysis.png`,
      metadataKey: `studies/${studyKey}/${ref}/metadata.json`,
      sourceSha256: 'f'.repeat(64),
      receivedAt: at,
    });
    await countNewInstance(bed.table, studyKey);
    await bed.engines.s3.send(new PutObjectCommand({ Bucket: bed.engines.buckets.derived, Key: previewKeys[i], Body: PREVIEW_BYTES, ContentType: 'image/png' }));
  }
  await transitionStudy(bed.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING], to: StudyStatus.READY, now: at });
  await transitionStudy(bed.table, { studyKey, version: 1, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now: at });

  const findings = (options.findings ?? [{ label: 'Nodule', confidence: 0.55 }, { label: 'Effusion', confidence: 0.95 }])
    .map((f) => ({ label: f.label, confidence: f.confidence, imageRef: f.imageRef ?? imageRefs[0] }));
  const result: AnalyzerResult = {
    schemaVersion: ANALYZER_CONTRACT_VERSION, analyzerName: 'cxr', modelId: 'acme.cxr', modelVersion: '3', status: AnalyzerStatus.SUCCEEDED, durationMs: 5, findings,
  };
  const resultRef = { bucket: bed.engines.buckets.derived, key: `studies/${studyKey}/v0001/analyses/cxr/result.json` };
  await putJson(bed.engines.s3, resultRef, result);
  const outcome: AnalyzerOutcome = {
    analyzerName: 'cxr',
    modelId: 'acme.cxr',
    modelVersion: '3',
    status: AnalyzerStatus.SUCCEEDED,
    findingCount: findings.length,
    durationMs: 5,
    imageCount,
    failedImageCount: 0,
    result: resultRef,
  };
  const triage = triageFindings([result], options.rules ?? thresholdRules(0.8));
  const triageRef = { bucket: bed.engines.buckets.derived, key: `studies/${studyKey}/v0001/triage.json` };
  await putJson(bed.engines.s3, triageRef, triage.findings);
  const aggregate: AggregateSummary = { ...triage.summary, triage: triageRef };

  await requestReview({ table: bed.table, events: bed.events(), messages: bed.messages(), clock: () => NOW }, {
    studyKey, version: 1, taskToken: TOKEN, aggregate, results: [outcome], deadlineSeconds: options.deadlineSeconds ?? 3600,
  });
  if (options.overdue === true) await runDeadlineStep(bed, studyKey);
  bed.eventBridge.resetHistory();
  bed.sns.resetHistory();
  return { studyKey, version: 1, imageRefs, previewKeys };
}

/** What the workflow does when the review task times out ("Persist preliminary report" with the review TIMED_OUT). */
export async function runDeadlineStep(bed: ReviewApiTestbed, studyKey: string): Promise<PersistedReport> {
  const review = await getReview(bed.table, studyKey, 1);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return persistResults({ table: bed.table, s3: bed.engines.s3, reportsBucket: bed.engines.buckets.reports, log: quiet, clock: () => NOW },
    { studyKey, version: 1, results: review!.results, aggregate: review!.aggregate, review: { decision: 'TIMED_OUT' } });
}

export interface ApiEventOptions {
  readonly studyKey?: string;
  readonly body?: unknown;
  /** Raw body text (for malformed JSON). */
  readonly rawBody?: string;
  /** IAM caller; `null` for a request context without one. */
  readonly userArn?: string | null;
  /** Cognito claims (a user pool authorizer ran). */
  readonly claims?: Record<string, string>;
}

/** An API Gateway proxy event as the REST API sends it. */
export function apiEvent(options: ApiEventOptions = {}): ApiEvent {
  const body = options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body));
  return {
    body,
    isBase64Encoded: false,
    pathParameters: options.studyKey === undefined ? null : { studyKey: options.studyKey },
    requestContext: {
      identity: { userArn: options.userArn === undefined ? REVIEWER_ARN : options.userArn },
      authorizer: options.claims === undefined ? null : { claims: options.claims },
    },
  } as unknown as ApiEvent;
}

export function bodyOf(result: { body: string }): Record<string, any> {
  return JSON.parse(result.body) as Record<string, any>;
}
