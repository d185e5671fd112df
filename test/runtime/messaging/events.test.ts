/**
 * The event contracts: one schema per detail type (schemas/events/), the
 * validator tests and the e2e run use, the SNS message attributes and link, and
 * a study whose files carry PHI in every tag the generator fills going through
 * ingest, review, outcome and failure without any of it in an event or message.
 */
import * as fs from 'fs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveDeidentificationSettings } from '../../../src/core/deid/settings';
import { renderStudyLink } from '../../../src/core/notifications/study-link';
import { handleIngestBatch } from '../../../src/runtime/handlers/ingest/ingest.lambda';
import { messagePublisherFromEnv } from '../../../src/runtime/messaging/from-env';
import { EventPublishError, publishEvent, publishMessage } from '../../../src/runtime/messaging/publish';
import { markFailed } from '../../../src/runtime/steps/mark-failed';
import { notifyOutcome } from '../../../src/runtime/steps/notify-outcome';
import { requestReview } from '../../../src/runtime/steps/request-review';
import { transitionStudy } from '../../../src/runtime/storage';
import { DetailType, EVENT_SOURCE, PipelineEvents } from '../../../src/shared/events';
import { StudyPriority } from '../../../src/shared/finding-rules';
import { StudyStatus } from '../../../src/shared/records';
import { makeDicom, phiValues, TEST_UID_ROOT } from '../../fixtures/images';
import { captureOutput } from '../../support/capture';
import { EVENT_SCHEMA_DIR, eventSchemaErrors, schemaFileOf, validateEvent, validateEventEntry } from '../../support/event-schemas';
import { objectCreatedRecord, sqsEvent } from '../../support/events';
import { silentLog, useLocalEngines, usePublisherMocks } from '../../support/handler-harness';
import { ingestDeps } from '../../support/ingest-deps';
import { TEST_REGION } from '../../support/local-engines';
import { testStudyKey } from '../../support/study-keys';
import { summaryOf } from '../../support/summaries';

const local = useLocalEngines();
const publishers = usePublisherMocks();
const STUDY = testStudyKey('contracts');

describe('schemas/events', () => {
  const files = fs.readdirSync(EVENT_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json'));
  const load = (name: string) => JSON.parse(fs.readFileSync(`${EVENT_SCHEMA_DIR}/${name}`, 'utf8'));

  test('one schema per detail type, and no schema without one (besides the shared definitions)', () => {
    const expected = Object.values(DetailType).map((detailType) => schemaFileOf(detailType));
    expect(files.filter((name) => name !== 'common.v1.schema.json').sort()).toEqual([...expected].sort());
    for (const name of files) expect(load(name).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  test('every published detail requires the contract version and admits no field it does not name', () => {
    for (const detailType of Object.values(DetailType).filter((t) => t !== PipelineEvents.ANALYSIS_REQUESTED)) {
      const schema = load(schemaFileOf(detailType));
      expect([detailType, schema.required]).toEqual([detailType, expect.arrayContaining(['schemaVersion'])]);
      expect([detailType, schema.additionalProperties]).toEqual([detailType, false]);
    }
    const common = load('common.v1.schema.json');
    expect(common.$defs.schemaVersion.const).toBe(PipelineEvents.SCHEMA_VERSION);
  });

  test('the validator refuses an extra field, a non-pseudonymous key, a missing version, an unknown code', () => {
    const valid = { schemaVersion: '1', studyKey: STUDY, version: 2, errorName: 'States.Timeout', reasonCode: 'STEP_FAILED' };
    expect(eventSchemaErrors(PipelineEvents.STUDY_FAILED, valid)).toEqual([]);
    expect(eventSchemaErrors(PipelineEvents.STUDY_FAILED, { ...valid, patientName: 'DOE^JANE' }).join()).toMatch(/additional properties/);
    expect(eventSchemaErrors(PipelineEvents.STUDY_FAILED, { ...valid, studyKey: 'DOE^JANE' }).join()).toMatch(/studyKey must match pattern/);
    expect(eventSchemaErrors(PipelineEvents.STUDY_FAILED, { ...valid, schemaVersion: undefined }).join()).toMatch(/schemaVersion/);
    expect(eventSchemaErrors(PipelineEvents.STUDY_FAILED, { ...valid, reasonCode: 'OOPS' }).join()).toMatch(/reasonCode must be equal to one of/);
    expect(eventSchemaErrors('Study Exploded', valid)).toEqual(["unknown detail type 'Study Exploded'"]);
    expect(() => validateEvent(PipelineEvents.STUDY_FAILED, { ...valid, version: 0 })).toThrow(/'Study Failed' event does not match its schema: \/version/);
  });

  test('Analysis Requested: a version "1" request naming a bucket and exactly one of key and prefix', () => {
    const errors = (detail: object) => eventSchemaErrors(PipelineEvents.ANALYSIS_REQUESTED, detail);
    expect(errors({ version: '1', bucket: 'archive-bucket', key: 'studies/a.dcm', size: 10, versionId: 'v1' })).toEqual([]);
    expect(errors({ version: '1', bucket: 'archive-bucket', prefix: 'studies/2024/' })).toEqual([]);
    expect(errors({ version: '1', bucket: 'archive-bucket', key: 'a.dcm', prefix: 'studies/' })).not.toEqual([]);
    expect(errors({ version: '1', bucket: 'archive-bucket' })).not.toEqual([]);
    expect(errors({ version: '1', bucket: 'archive-bucket', prefix: 'studies/', versionId: 'v1' })).not.toEqual([]);
    expect(errors({ version: '2', bucket: 'archive-bucket', key: 'a.dcm' })).not.toEqual([]);
    expect(errors({ version: '1', key: 'a.dcm' })).not.toEqual([]);
  });
});

describe('publishing', () => {
  test('every detail carries the contract version; a per-entry failure throws', async () => {
    await publishEvent(publishers.events(), PipelineEvents.STUDY_RECEIVED, { studyKey: STUDY, version: 1, modality: 'CT', kind: 'dicom' });
    const [entry] = publishers.entries();
    expect(entry).toMatchObject({ Source: EVENT_SOURCE, DetailType: 'Study Received', EventBusName: 'bus' });
    expect(JSON.parse(entry.Detail!)).toEqual({ schemaVersion: '1', studyKey: STUDY, version: 1, modality: 'CT', kind: 'dicom' });
    publishers.eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(publishEvent(publishers.events(), PipelineEvents.STUDY_RECEIVED, { studyKey: STUDY, version: 1, modality: 'CT', kind: 'dicom' }))
      .rejects.toBeInstanceOf(EventPublishError);
  });

  test('messages carry the eventType and priority attributes SNS filter policies match, and the study link when configured', async () => {
    const template = 'https://viewer.example.org/studies/{studyKey}?v={version}';
    const messages = messagePublisherFromEnv(new SNSClient({ region: TEST_REGION }), { TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', STUDY_LINK_TEMPLATE: template });
    await publishMessage(messages, {
      subject: 'S', lines: ['Study needs review'], eventType: PipelineEvents.REVIEW_REQUIRED, priority: StudyPriority.STAT, study: { studyKey: STUDY, version: 2 },
    });
    await publishMessage(publishers.messages(), { subject: 'S', lines: ['x'], eventType: PipelineEvents.STUDY_FAILED, study: { studyKey: STUDY, version: 2 } });
    const [withLink, plain] = publishers.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(withLink.MessageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'Review Required' },
      priority: { DataType: 'String', StringValue: 'STAT' },
    });
    expect(withLink.Message).toBe(`Study needs review\nOpen: https://viewer.example.org/studies/${STUDY}?v=2`);
    expect(plain.MessageAttributes).toEqual({ eventType: { DataType: 'String', StringValue: 'Study Failed' } });
    expect(plain.Message).toBe('x');
  });

  test('the link template substitutes only the pseudonymous key and the version, URI-encoded', () => {
    expect(renderStudyLink('https://v.example.org/{studyKey}/{version}', { studyKey: 'a b', version: 3 })).toBe('https://v.example.org/a%20b/3');
    expect(() => renderStudyLink('https://v.example.org/{patientId}', { studyKey: STUDY })).toThrow(/unknown placeholder \{patientId\}/);
    expect(() => renderStudyLink('https://v.example.org/studies', { studyKey: STUDY })).toThrow(/must contain \{studyKey\}/);
    expect(() => renderStudyLink('https://{studyKey} x', { studyKey: STUDY })).toThrow(/not a valid URL/);
  });
});

describe('a study with PHI in every tag the generator fills', () => {
  const sfn = mockClient(SFNClient);
  afterAll(() => sfn.restore());
  beforeEach(() => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
  });

  // Distinct values, so a hit cannot come from anything else.
  const phi = {
    patientName: 'QUILLFEATHER^ROSALIND^M',
    patientId: 'MRN-PHI-778812',
    birthDate: '19480317',
    accessionNumber: 'ACC-PHI-5529',
    studyUid: `${TEST_UID_ROOT}.77.19480317.5`,
    seriesUid: `${TEST_UID_ROOT}.78.19480317.5.1`,
    sopUid: `${TEST_UID_ROOT}.79.19480317.5.1.1`,
    institution: 'SAINT BARTHOLOMEW PHI INFIRMARY',
  };
  const uploadKey = 'uploads/QUILLFEATHER_ROSALIND_MRN-PHI-778812/chest.dcm';
  const rejectedKey = 'uploads/QUILLFEATHER_ROSALIND_MRN-PHI-778812/cut.dcm';

  test('ingest, review, outcome and failure: every event matches its schema, none and no message holds any of it', async () => {
    const output = captureOutput();
    try {
      const bucket = local.engines.buckets.upload;
      const good = makeDicom({ phi, modality: 'CT' });
      const cut = makeDicom({ phi, truncateAt: 300 });
      await local.engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: uploadKey, Body: good }));
      await local.engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: rejectedKey, Body: cut }));
      const ingest = handleIngestBatch({
        ...ingestDeps(local.engines, { deidentification: resolveDeidentificationSettings() },
          { sources: [{ bucket, prefix: 'uploads/' }], excluded: [], maxObjectsPerPrefix: 10 }),
        events: publishers.events(),
        log: silentLog(),
      });
      expect(await ingest(sqsEvent(
        objectCreatedRecord('phi-1', { bucket, key: uploadKey, size: good.length }),
        objectCreatedRecord('phi-2', { bucket, key: rejectedKey, size: cut.length }),
      ))).toEqual({ batchItemFailures: [] });

      const received = publishers.entries().find((e) => e.DetailType === PipelineEvents.STUDY_RECEIVED);
      const studyKey = JSON.parse(received!.Detail!).studyKey as string;
      const now = new Date().toISOString();
      await transitionStudy(local.table, { studyKey, version: 1, from: [StudyStatus.RECEIVING, StudyStatus.READY], to: StudyStatus.ANALYZING, now });

      const messages = { ...publishers.messages(), studyLinkTemplate: 'https://viewer.example.org/studies/{studyKey}' };
      const deps = { table: local.table, events: publishers.events(), messages, log: silentLog() };
      const held = summaryOf([0.91], { heldCount: 1, reviewRequired: true, reviewReasons: ['FINDING_HELD'], priority: StudyPriority.STAT });
      await requestReview(deps, { studyKey, version: 1, taskToken: 'task-token-of-the-phi-study', aggregate: held, results: [], deadlineSeconds: 3600 });
      const persisted = {
        reportVersion: 1,
        fhirKey: `studies/${studyKey}/reports/v1/r1/diagnostic-report.json`,
        htmlKey: `studies/${studyKey}/reports/v1/r1/report.html`,
      };
      await notifyOutcome(deps, {
        studyKey, version: 1, aggregate: held, detailType: PipelineEvents.REVIEW_OVERDUE, persisted: { ...persisted, status: 'IN_REVIEW' }, review: { decision: 'TIMED_OUT' },
      });
      await notifyOutcome(deps, {
        studyKey, version: 1, aggregate: held, detailType: PipelineEvents.ANALYSIS_COMPLETED, persisted: { ...persisted, status: 'COMPLETED', reviewDecision: 'APPROVED' },
      });
      await markFailed(deps, { studyKey, version: 1, error: { Error: 'States.TaskFailed', Cause: `Failed for ${phi.patientName} (${phi.patientId})` } });

      const entries = publishers.entries();
      expect(entries.map((e) => e.DetailType)).toEqual(['Study Received', 'Object Rejected', 'Review Required', 'Review Overdue', 'Analysis Completed', 'Study Failed']);
      for (const entry of entries) validateEventEntry(entry);
      const sent = publishers.messagesSent();
      expect(sent.map((m) => m.MessageAttributes?.eventType?.StringValue)).toEqual(['Review Required', 'Review Overdue', 'Analysis Completed', 'Study Failed']);
      expect(sent.map((m) => m.MessageAttributes?.priority?.StringValue)).toEqual(['STAT', 'STAT', 'STAT', 'STAT']);
      for (const message of sent) expect(message.Message).toContain(`Open: https://viewer.example.org/studies/${studyKey}`);

      const published = JSON.stringify([entries, sent]);
      const values = [...phiValues(phi), uploadKey, rejectedKey, 'QUILLFEATHER', 'ROSALIND', 'task-token-of-the-phi-study'];
      expect(values.filter((value) => published.includes(value))).toEqual([]);
      // The patient's name components, in any case, are nowhere either.
      expect(published.toUpperCase()).not.toContain('QUILLFEATHER');
    } finally {
      output.restore();
    }
  });
});
