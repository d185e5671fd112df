/** The ingest handler's dependencies over the local engines (dynalite + s3rver). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LocalEngines, TEST_REGION } from './local-engines';
import { isRejection, prepareObject } from '../../src/core/preparation';
import { createSafeLog } from '../../src/runtime/lambda/logger';
import { IngestSettings } from '../../src/runtime/steps/ingest-object';
import { ReferencedInputDeps, ReferencedInputSettings } from '../../src/runtime/steps/referenced-input';

export const TEST_PSEUDONYM_KEY = new Uint8Array(Buffer.from('unit-test-pseudonym-key-0123456789'));
export const TEST_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:analysis';
export const TEST_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/ingest';

export function ingestDeps(
  engines: LocalEngines,
  settings: Partial<IngestSettings> = {},
  referenced: Partial<ReferencedInputSettings> = {},
): ReferencedInputDeps {
  const uploadPrefix = settings.uploadPrefix ?? 'uploads/';
  const quarantinePrefix = settings.quarantinePrefix ?? 'quarantine/';
  return {
    table: { doc: engines.doc, tableName: engines.tableName },
    s3: engines.s3,
    events: { client: new EventBridgeClient({ region: TEST_REGION }), busName: 'bus' },
    starter: { client: new SFNClient({ region: TEST_REGION }), stateMachineArn: TEST_STATE_MACHINE_ARN },
    loadPseudonymKey: async () => TEST_PSEUDONYM_KEY,
    prepare: prepareObject,
    isRejection,
    settings: {
      uploadPrefix,
      quarantinePrefix,
      derivedBucket: engines.buckets.derived,
      maxObjectBytes: 10 * 2 ** 20,
      quietPeriodSeconds: 300,
      ...settings,
    },
    queue: { client: new SQSClient({ region: TEST_REGION }), queueUrl: TEST_QUEUE_URL },
    referenced: {
      sources: [{ bucket: engines.buckets.upload, prefix: uploadPrefix }],
      excluded: [{ bucket: engines.buckets.upload, prefix: quarantinePrefix }],
      maxObjectsPerPrefix: 100,
      ...referenced,
    },
    log: createSafeLog('ingest-test'),
  };
}
