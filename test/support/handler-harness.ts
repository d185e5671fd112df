/**
 * What handler tests share: real local engines for the file (dynalite and
 * s3rver, started once), EventBridge and SNS mocked (every call succeeds and
 * is recorded), and a log that records nothing.
 */
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { validateEventEntry } from './event-schemas';
import { LocalEngines, startLocalEngines, TEST_REGION } from './local-engines';
import { SafeLog } from '../../src/runtime/lambda/logger';
import { EventPublisher, MessagePublisher } from '../../src/runtime/messaging/publish';
import { TableContext } from '../../src/runtime/storage';

export const silentLog = (): SafeLog => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn() });

/** Starts the engines before the file's tests and stops them after; read `engines`/`table` inside tests. */
export function useLocalEngines(): { readonly engines: LocalEngines; readonly table: TableContext } {
  let engines: LocalEngines | undefined;
  beforeAll(async () => { engines = await startLocalEngines(); });
  afterAll(async () => engines?.stop());
  return {
    get engines() { return engines!; },
    get table() { return { doc: engines!.doc, tableName: engines!.tableName }; },
  };
}

export interface PublisherMocks {
  readonly eventBridge: ReturnType<typeof mockClient>;
  readonly sns: ReturnType<typeof mockClient>;
  events(): EventPublisher;
  messages(): MessagePublisher;
  /** Every event entry published since the test began (each is checked against its schema after the test). */
  entries(): PutEventsRequestEntry[];
  /** Every SNS message published since the test began. */
  messagesSent(): PublishCommandInput[];
}

export function usePublisherMocks(): PublisherMocks {
  const eventBridge = mockClient(EventBridgeClient);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    eventBridge.reset();
    sns.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
  });
  // Every event a handler test publishes must match its contract in schemas/events/.
  afterEach(() => {
    for (const call of eventBridge.commandCalls(PutEventsCommand)) {
      for (const entry of (call.args[0].input as { Entries?: PutEventsRequestEntry[] }).Entries ?? []) validateEventEntry(entry);
    }
  });
  afterAll(() => {
    eventBridge.restore();
    sns.restore();
  });
  return {
    eventBridge,
    sns,
    events: () => ({ client: new EventBridgeClient({ region: TEST_REGION }), busName: 'bus' }),
    messages: () => ({ client: new SNSClient({ region: TEST_REGION }), topicArn: 'arn:aws:sns:us-east-1:111122223333:topic' }),
    entries: () => eventBridge.commandCalls(PutEventsCommand)
      .flatMap((c) => (c.args[0].input as { Entries?: PutEventsRequestEntry[] }).Entries ?? []),
    messagesSent: () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput),
  };
}
