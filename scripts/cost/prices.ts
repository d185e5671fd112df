/**
 * Every price the cost model uses, in one place: AWS public on-demand prices,
 * us-east-1, as listed on each service's pricing page on PRICE_LIST_DATE
 * (free tiers ignored). Change them here when the list changes.
 */
export const PRICE_REGION = 'us-east-1';
export const PRICE_LIST_DATE = '2026-12-01';

export const PRICES = {
  /** https://aws.amazon.com/step-functions/pricing/ : Standard, $0.025 per 1,000 state transitions. */
  stepFunctionsStandardTransition: 0.025 / 1000,
  /** https://aws.amazon.com/lambda/pricing/ : arm64, $0.0000133334 per GB-second (first tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** https://aws.amazon.com/lambda/pricing/ : $0.20 per 1M requests. */
  lambdaRequest: 0.2 / 1e6,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ : $0.625 per 1M write request units. */
  dynamoWriteUnit: 0.625 / 1e6,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ : $0.125 per 1M read request units. */
  dynamoReadUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/s3/pricing/ : S3 Standard PUT, COPY, POST, LIST, $0.005 per 1,000. */
  s3WriteRequest: 0.005 / 1000,
  /** https://aws.amazon.com/s3/pricing/ : S3 Standard GET, SELECT and all other requests, $0.0004 per 1,000 (DELETE free). */
  s3ReadRequest: 0.0004 / 1000,
  /** https://aws.amazon.com/sqs/pricing/ : standard queue, $0.40 per 1M requests (64 KB chunks). */
  sqsRequest: 0.4 / 1e6,
  /** https://aws.amazon.com/eventbridge/pricing/ : custom events, $1.00 per 1M (S3's own events to the default bus are free). */
  eventBridgeEvent: 1 / 1e6,
  /** https://aws.amazon.com/sns/pricing/ : $0.50 per 1M publishes (deliveries to email/SMS priced apart). */
  snsPublish: 0.5 / 1e6,
  /** https://aws.amazon.com/cloudwatch/pricing/ : Logs ingestion (standard class), $0.50 per GB. */
  logsIngestGb: 0.5,
} as const;

/** AI service fees, listed apart from the pipeline's own cost. */
export const AI_PRICES = {
  /** https://aws.amazon.com/rekognition/pricing/ : Image API group 1 (DetectLabels), $0.001 per image (first 1M a month). */
  rekognitionImage: 0.001,
  /** https://aws.amazon.com/bedrock/pricing/ : Claude 3.5 Sonnet, $3 per 1M input tokens, $15 per 1M output tokens. */
  bedrockInputToken: 3 / 1e6,
  bedrockOutputToken: 15 / 1e6,
} as const;

/** Token assumptions of one Bedrock call (image of ~1,000 x 1,000 px is ~1,334 tokens, plus the prompt; the tool answer). */
export const BEDROCK_TOKENS_PER_CALL = { input: 1600, output: 400 } as const;
