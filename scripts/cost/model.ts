/**
 * The cost model: what one study used (counted by the local runner on the
 * synthesized example) times the prices in prices.ts. Pure: the runner in
 * cost.ts measures, this prices.
 */
import { AI_PRICES, BEDROCK_TOKENS_PER_CALL, PRICES } from './prices';

/** What one study used, as counted in a local run. */
export interface StudyUsage {
  readonly images: number;
  /** State transitions billed as Standard (executions started + states entered, children included). */
  readonly stateTransitions: number;
  /** Per function: invocations, total duration and configured memory (from the template). */
  readonly lambda: ReadonlyArray<{ readonly name: string; readonly invocations: number; readonly durationMs: number; readonly memoryMb: number }>;
  /** DynamoDB requests by operation. */
  readonly dynamodb: Readonly<Record<string, number>>;
  /** S3 requests by operation. */
  readonly s3: Readonly<Record<string, number>>;
  /** SQS messages delivered (each one sent, received and deleted). */
  readonly queueMessages: number;
  /** Custom events the pipeline published. */
  readonly events: number;
  readonly notifications: number;
  /** Bytes the handlers logged. */
  readonly logBytes: number;
  /** AI service calls by service (Rekognition, Bedrock, ...). */
  readonly aiCalls: Readonly<Record<string, number>>;
}

export interface CostLine {
  readonly item: string;
  readonly usd: number;
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const S3_WRITES = new Set(['PutObject', 'CopyObject', 'PostObject', 'ListObjects']);

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/**
 * The pipeline's own cost of one study, by item. DynamoDB: one request unit per
 * request (the pipeline's items are under 1 KB; transactions count twice).
 */
export function studyCost(usage: StudyUsage): CostLine[] {
  const gbSeconds = sum(usage.lambda.map((f) => (f.durationMs / 1000) * (f.memoryMb / 1024)));
  const lambdaRequests = sum(usage.lambda.map((f) => f.invocations));
  const dynamo = Object.entries(usage.dynamodb);
  const writeUnits = sum(dynamo.filter(([op]) => DYNAMO_WRITES.has(op)).map(([op, n]) => (op === 'TransactWriteItems' ? 2 * n : n)));
  const readUnits = sum(dynamo.filter(([op]) => !DYNAMO_WRITES.has(op)).map(([op, n]) => (op.startsWith('Transact') ? 2 * n : n)));
  const s3 = Object.entries(usage.s3);
  const s3Writes = sum(s3.filter(([op]) => S3_WRITES.has(op)).map(([, n]) => n));
  const s3Reads = sum(s3.filter(([op]) => !S3_WRITES.has(op) && op !== 'DeleteObject').map(([, n]) => n));
  return [
    { item: 'Step Functions (Standard transitions)', usd: usage.stateTransitions * PRICES.stepFunctionsStandardTransition },
    { item: 'Lambda (GB-seconds + requests)', usd: gbSeconds * PRICES.lambdaArmGbSecond + lambdaRequests * PRICES.lambdaRequest },
    { item: 'DynamoDB (on-demand request units)', usd: writeUnits * PRICES.dynamoWriteUnit + readUnits * PRICES.dynamoReadUnit },
    { item: 'S3 requests', usd: s3Writes * PRICES.s3WriteRequest + s3Reads * PRICES.s3ReadRequest },
    { item: 'SQS (send, receive, delete)', usd: usage.queueMessages * 3 * PRICES.sqsRequest },
    { item: 'EventBridge + SNS', usd: usage.events * PRICES.eventBridgeEvent + usage.notifications * PRICES.snsPublish },
    { item: 'CloudWatch Logs ingestion', usd: (usage.logBytes / 1024 ** 3) * PRICES.logsIngestGb },
  ];
}

/** AI service fees of one study (not the pipeline's own cost). */
export function aiFees(usage: StudyUsage): CostLine[] {
  const bedrockCall = BEDROCK_TOKENS_PER_CALL.input * AI_PRICES.bedrockInputToken + BEDROCK_TOKENS_PER_CALL.output * AI_PRICES.bedrockOutputToken;
  return Object.entries(usage.aiCalls).map(([service, calls]) => ({
    item: `${service} (${calls} calls)`,
    usd: calls * (/bedrock/i.test(service) ? bedrockCall : /rekognition/i.test(service) ? AI_PRICES.rekognitionImage : 0),
  }));
}

export const total = (lines: readonly CostLine[]) => sum(lines.map((l) => l.usd));

/**
 * The naive design: every image runs its own Standard workflow, i.e. the
 * single-image path (measured on the single-image study) once per image.
 */
export function naiveStudyCost(singleImage: StudyUsage, images: number): number {
  return total(studyCost(singleImage)) * (images / singleImage.images);
}
