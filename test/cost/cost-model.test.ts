import { aiFees, naiveStudyCost, StudyUsage, studyCost, total } from '../../scripts/cost/model';
import { AI_PRICES, PRICES } from '../../scripts/cost/prices';

const usage = (overrides: Partial<StudyUsage> = {}): StudyUsage => ({
  images: 1,
  stateTransitions: 0,
  lambda: [],
  dynamodb: {},
  s3: {},
  queueMessages: 0,
  events: 0,
  notifications: 0,
  logBytes: 0,
  aiCalls: {},
  ...overrides,
});

const line = (u: StudyUsage, prefix: string) => studyCost(u).find((l) => l.item.startsWith(prefix))!.usd;

describe('cost model', () => {
  test('state transitions are priced as Standard transitions', () => {
    expect(line(usage({ stateTransitions: 40 }), 'Step Functions')).toBeCloseTo(40 * PRICES.stepFunctionsStandardTransition, 12);
  });

  test('Lambda is billed by GB-second of the template memory plus requests', () => {
    const u = usage({ lambda: [{ name: 'Ingest', invocations: 4, durationMs: 2000, memoryMb: 2048 }] });
    expect(line(u, 'Lambda')).toBeCloseTo(2 * 2 * PRICES.lambdaArmGbSecond + 4 * PRICES.lambdaRequest, 12);
  });

  test('DynamoDB writes and reads are priced apart, transactions twice', () => {
    const u = usage({ dynamodb: { PutItem: 3, UpdateItem: 1, TransactWriteItems: 1, GetItem: 2, Query: 1 } });
    expect(line(u, 'DynamoDB')).toBeCloseTo(6 * PRICES.dynamoWriteUnit + 3 * PRICES.dynamoReadUnit, 12);
  });

  test('S3 PUT/COPY/LIST cost more than GET/HEAD; DELETE is free', () => {
    const u = usage({ s3: { PutObject: 2, CopyObject: 1, GetObject: 5, HeadObject: 1, DeleteObject: 7 } });
    expect(line(u, 'S3')).toBeCloseTo(3 * PRICES.s3WriteRequest + 6 * PRICES.s3ReadRequest, 12);
  });

  test('the naive design scales the single-image path by the image count', () => {
    const single = usage({ stateTransitions: 30, lambda: [{ name: 'f', invocations: 5, durationMs: 500, memoryMb: 1024 }] });
    expect(naiveStudyCost(single, 300)).toBeCloseTo(300 * total(studyCost(single)), 12);
  });

  test('AI fees are per call of each service, apart from the pipeline cost', () => {
    const u = usage({ aiCalls: { 'Rekognition': 3, 'SageMaker Runtime': 2 } });
    expect(total(aiFees(u))).toBeCloseTo(3 * AI_PRICES.rekognitionImage, 12);
    expect(total(studyCost(u))).toBe(0);
  });
});
