/**
 * POST /studies/{studyKey}/decision against dynalite + s3rver: the decision
 * resumes a PENDING review with SendTaskSuccess, or issues report revision 2
 * for an OVERDUE one; each is taken once and audited; the reviewer is the
 * authenticated caller; the task token never leaves the table.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { apiEvent, bodyOf, heldStudy, NOW, recordingLog, REVIEWER_ARN, reviewApiTestbed, runDeadlineStep, TOKEN } from './review-api-fixture';
import { handleDecision } from '../../../../src/runtime/handlers/review-api/decision.lambda';
import { PipelineMetrics } from '../../../../src/runtime/lambda/metrics';
import { notifyOutcome } from '../../../../src/runtime/steps/notify-outcome';
import { getStudy, transitionStudy } from '../../../../src/runtime/storage';
import { getReview, markReviewOverdue } from '../../../../src/runtime/storage/reviews';
import { DetailType } from '../../../../src/shared/events';
import { StudyPriority, FindingAction } from '../../../../src/shared/finding-rules';
import { MetricName } from '../../../../src/shared/metrics';
import { studyPk, StudyStatus } from '../../../../src/shared/records';
import { TEST_REGION } from '../../../support/local-engines';

const bed = reviewApiTestbed();
const DECIDED_AT = new Date('2025-09-01T08:20:00.000Z');

function decisionHandler(log = recordingLog(), metrics?: PipelineMetrics) {
  const handler = handleDecision({
    metrics,
    table: bed.table,
    s3: bed.engines.s3,
    sfn: new SFNClient({ region: TEST_REGION }),
    reportsBucket: bed.engines.buckets.reports,
    events: bed.events(),
    messages: bed.messages(),
    log,
    clock: () => DECIDED_AT,
  });
  return { handler, log };
}

async function auditsOf(studyKey: string): Promise<Array<Record<string, any>>> {
  const page = await bed.table.doc.send(new QueryCommand({
    TableName: bed.table.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': 'EVENT#' },
  }));
  return page.Items ?? [];
}

async function reportJson(key: string): Promise<Record<string, any>> {
  const object = await bed.engines.s3.send(new GetObjectCommand({ Bucket: bed.engines.buckets.reports, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as Record<string, any>;
}

describe('a PENDING review', () => {
  test('APPROVE sends SendTaskSuccess with the answer, records the decision and its audit, and ignores a reviewer in the body', async () => {
    const study = await heldStudy(bed);
    const { handler, log } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE', reviewer: 'dr-forged' } }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      studyKey: study.studyKey, version: 1, decision: 'APPROVED', decidedAt: DECIDED_AT.toISOString(), outcome: 'WORKFLOW_RESUMED',
    });
    const calls = bed.sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.taskToken).toBe(TOKEN);
    expect(JSON.parse(calls[0].args[0].input.output!)).toEqual({ decision: 'APPROVED', reviewer: REVIEWER_ARN, decidedAt: DECIDED_AT.toISOString() });

    const review = await getReview(bed.table, study.studyKey, 1);
    expect(review).toMatchObject({ reviewStatus: 'DECIDED', decision: 'APPROVED', reviewer: REVIEWER_ARN, decidedAt: DECIDED_AT.toISOString() });
    expect(review?.taskToken).toBeUndefined();
    const [audit, ...more] = await auditsOf(study.studyKey);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({
      SK: expect.stringMatching(/^EVENT#2025-09-01T08:20:00.000Z#/),
      eventType: 'REVIEW_DECISION',
      studyKey: study.studyKey,
      version: 1,
      reviewer: REVIEWER_ARN,
      decidedAt: DECIDED_AT.toISOString(),
      decision: 'APPROVED',
      amendments: [],
      before: [],
      after: [],
      findingsBefore: 2,
      findingsAfter: 2,
      reviewStatus: 'PENDING',
    });
    expect(JSON.stringify(await auditsOf(study.studyKey))).not.toContain('dr-forged');
    expect(result.body).not.toContain(TOKEN);
    expect(JSON.stringify(log.lines)).not.toContain(TOKEN);
    // The workflow issues the report and notification after the resume: the API publishes nothing itself.
    expect(bed.eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('a Cognito caller is recorded by the subject claim', async () => {
    const study = await heldStudy(bed);
    const { handler } = decisionHandler();
    const result = await handler(apiEvent({
      studyKey: study.studyKey,
      userArn: null,
      claims: { 'sub': '5f0c8a52-7d1b-4c1e-9a43-0b7e2f6d9c11', 'cognito:username': 'dr.chen' },
      body: { version: 1, decision: 'APPROVE' },
    }));
    expect(result.statusCode).toBe(200);
    expect((await getReview(bed.table, study.studyKey, 1))?.reviewer).toBe('5f0c8a52-7d1b-4c1e-9a43-0b7e2f6d9c11');
  });

  test('AMEND validates the amendments against the stored findings, then stores them and audits the before/after', async () => {
    const study = await heldStudy(bed, {
      findings: [{ label: 'Nodule', confidence: 0.55 }, { label: 'Effusion', confidence: 0.95 }, { label: 'Noise', confidence: 0.2 }],
      rules: [{ match: { labels: ['Noise'] }, action: FindingAction.SUPPRESS }, { action: FindingAction.HOLD_FOR_REVIEW }],
    });
    const { handler } = decisionHandler();
    const invalid = await handler(apiEvent({
      studyKey: study.studyKey,
      body: {
        version: 1,
        decision: 'AMEND',
        amendments: [
          { type: 'REMOVE', findingIndex: 2, reason: 'suppressed findings cannot be changed' },
          { type: 'RELABEL', findingIndex: 9, label: 'X', reason: 'no such finding' },
          { type: 'ADD', label: 'Fracture', imageRef: 's9/i9', reason: 'not an image of the study' },
          { type: 'REMOVE', findingIndex: 0, reason: '' },
        ],
      },
    }));
    expect(invalid.statusCode).toBe(400);
    expect(bodyOf(invalid)).toEqual({
      message: 'The amendments are invalid',
      problems: [
        'amendments[0].findingIndex does not name a reported finding',
        'amendments[1].findingIndex does not name a reported finding',
        'amendments[2].imageRef does not name an image of the study',
        'amendments[3].reason must be 1-500 printable characters',
      ],
    });
    expect((await getReview(bed.table, study.studyKey, 1))?.reviewStatus).toBe('PENDING');
    expect(bed.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    const amendments = [
      { type: 'REMOVE', findingIndex: 0, reason: 'Vessel seen end-on' },
      { type: 'RELABEL', findingIndex: 1, label: 'Right pleural effusion', reason: 'More specific' },
      { type: 'ADD', label: 'Rib fracture', imageRef: study.imageRefs[1], reason: 'Missed by the model' },
    ];
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'AMEND', amendments, reason: 'Reviewed at the workstation' } }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(bed.sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!)).toEqual({
      decision: 'AMENDED', reviewer: REVIEWER_ARN, decidedAt: DECIDED_AT.toISOString(),
    });
    expect(await getReview(bed.table, study.studyKey, 1)).toMatchObject({ decision: 'AMENDED', amendments, reason: 'Reviewed at the workstation' });
    const [audit] = await auditsOf(study.studyKey);
    expect(audit).toMatchObject({ decision: 'AMENDED', amendments, before: ['Nodule', 'Effusion'], after: ['Right pleural effusion', 'Rib fracture'], findingsBefore: 2, findingsAfter: 2 });
  });

  test('REJECT needs a reason, and records it', async () => {
    const study = await heldStudy(bed);
    const { handler } = decisionHandler();
    const noReason = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'REJECT' } }));
    expect([noReason.statusCode, bodyOf(noReason).problems]).toEqual([400, ['decision REJECT needs a reason']]);
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'REJECT', reason: 'Wrong body part imaged' } }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(bed.sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!).decision).toBe('REJECTED');
    expect(await getReview(bed.table, study.studyKey, 1)).toMatchObject({ decision: 'REJECTED', reason: 'Wrong body part imaged' });
    expect((await auditsOf(study.studyKey))[0]).toMatchObject({ decision: 'REJECTED', reason: 'Wrong body part imaged' });
  });

  test('a second decision on the same version is 409 and changes nothing', async () => {
    const study = await heldStudy(bed);
    const { handler } = decisionHandler();
    expect((await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }))).statusCode).toBe(200);
    const second = await handler(apiEvent({ studyKey: study.studyKey, userArn: 'arn:aws:iam::111122223333:user/other', body: { version: 1, decision: 'REJECT', reason: 'again' } }));
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second)).toEqual({ message: 'Version 1 of this study was already decided' });
    expect(await getReview(bed.table, study.studyKey, 1)).toMatchObject({ decision: 'APPROVED', reviewer: REVIEWER_ARN });
    expect(bed.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(await auditsOf(study.studyKey)).toHaveLength(1);
  });

  test('two decisions at once: exactly one is taken', async () => {
    const study = await heldStudy(bed);
    const { handler } = decisionHandler();
    const results = await Promise.all(['APPROVE', 'APPROVE', 'APPROVE'].map((decision) => handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision } }))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect(bed.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  test('a task that timed out meanwhile: the decision stays recorded, and the deadline step issues it as the final report', async () => {
    const study = await heldStudy(bed);
    const timedOut = Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
    bed.sfn.on(SendTaskSuccessCommand).rejects(timedOut);
    const { handler } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect([result.statusCode, bodyOf(result).outcome]).toEqual([200, 'APPLIED_AT_DEADLINE']);
    expect(await getReview(bed.table, study.studyKey, 1)).toMatchObject({ reviewStatus: 'DECIDED', decision: 'APPROVED', delivered: false });

    // The execution's own deadline path ("Persist preliminary report") finds the decision and applies it.
    expect(await runDeadlineStep(bed, study.studyKey)).toMatchObject({ reportVersion: 1, status: 'COMPLETED', reviewDecision: 'APPROVED' });
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'APPROVED', reportRevision: 1 });
    expect((await reportJson(`studies/${study.studyKey}/reports/v1/r1/diagnostic-report.json`)).status).toBe('final');
    const review = await getReview(bed.table, study.studyKey, 1);
    expect([review?.delivered, review?.taskToken]).toEqual([true, undefined]);
  });

  test('a resume that fails is a 500 that loses nothing: the same decision sent again delivers it; another one is refused', async () => {
    const study = await heldStudy(bed);
    bed.sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' })).resolves({});
    const { handler } = decisionHandler();
    const first = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect(first.statusCode).toBe(500);
    expect(await getReview(bed.table, study.studyKey, 1)).toMatchObject({ reviewStatus: 'DECIDED', delivered: false, taskToken: TOKEN });
    const other = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'REJECT', reason: 'Motion artefacts' } }));
    expect(other.statusCode).toBe(409);
    const again = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect([again.statusCode, bodyOf(again).outcome, bodyOf(again).decidedAt]).toEqual([200, 'WORKFLOW_RESUMED', DECIDED_AT.toISOString()]);
    expect(bed.sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([TOKEN, TOKEN]);
    const review = await getReview(bed.table, study.studyKey, 1);
    expect([review?.delivered, review?.taskToken]).toEqual([true, undefined]);
    expect(await auditsOf(study.studyKey)).toHaveLength(1);
  });

  test('left alone, a decision whose resume failed is applied by the deadline step (a REJECT too)', async () => {
    const study = await heldStudy(bed);
    bed.sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const { handler } = decisionHandler();
    await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'REJECT', reason: 'Wrong patient position' } }));
    expect(await runDeadlineStep(bed, study.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
    expect((await getReview(bed.table, study.studyKey, 1))?.reviewStatus).toBe('DECIDED');
  });

  test('any other Step Functions error is a 500 without detail (the decision stays recorded)', async () => {
    const study = await heldStudy(bed);
    bed.sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error(`bad token ${TOKEN}`), { name: 'InvalidToken' }));
    const { handler, log } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect([result.statusCode, bodyOf(result)]).toEqual([500, { message: 'Internal error' }]);
    expect(log.lines).toEqual([{ level: 'error', message: 'Review API request failed', fields: { errorName: 'InvalidToken' } }]);
    expect(JSON.stringify(log.lines)).not.toContain(TOKEN);
  });
});

describe('an OVERDUE review (the deadline passed, a preliminary report is out)', () => {
  test('a late decision writes report revision 2 (final) and publishes Analysis Completed; no task response is sent', async () => {
    const study = await heldStudy(bed, { overdue: true });
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'IN_REVIEW', reviewOverdue: true, reportRevision: 1 });
    const { handler, log } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      studyKey: study.studyKey,
      version: 1,
      decision: 'APPROVED',
      decidedAt: DECIDED_AT.toISOString(),
      outcome: 'REPORT_REVISED',
      report: { revision: 2, studyStatus: 'COMPLETED' },
    });
    expect(bed.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'APPROVED', reportRevision: 2 });
    expect((await reportJson(`studies/${study.studyKey}/reports/v1/r2/diagnostic-report.json`)).status).toBe('final');
    expect((await reportJson(`studies/${study.studyKey}/reports/v1/r1/diagnostic-report.json`)).status).toBe('preliminary');
    const [entry] = bed.eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]);
    expect(entry.DetailType).toBe('Analysis Completed');
    expect(JSON.parse(entry.Detail!)).toMatchObject({ studyKey: study.studyKey, version: 1, reviewDecision: 'APPROVED', reportVersion: 2, status: 'COMPLETED' });
    expect(bed.sns.commandCalls(PublishCommand)[0].args[0].input.MessageAttributes?.eventType?.StringValue).toBe('Analysis Completed');
    expect((await auditsOf(study.studyKey))[0]).toMatchObject({ decision: 'APPROVED', reviewStatus: 'OVERDUE' });
    expect(log.lines).toEqual([{
      level: 'info', message: 'Late review decision issued a report revision', fields: { studyKey: study.studyKey, version: 1, reportVersion: 2, status: 'COMPLETED' },
    }]);
  });

  test('metrics: the review wait from request to decision, and the study a late decision completed; written once per request', async () => {
    const recorded: Array<[string, number]> = [];
    let flushes = 0;
    const metrics: PipelineMetrics = { record: (name, value) => recorded.push([name, value]), flush: () => { flushes += 1; } };
    const pending = await heldStudy(bed);
    const overdue = await heldStudy(bed, { overdue: true });
    const { handler } = decisionHandler(recordingLog(), metrics);
    expect((await handler(apiEvent({ studyKey: pending.studyKey, body: { version: 1, decision: 'APPROVE' } }))).statusCode).toBe(200);
    expect(recorded).toEqual([[MetricName.REVIEW_WAIT, DECIDED_AT.getTime() - NOW.getTime()]]);
    expect((await handler(apiEvent({ studyKey: overdue.studyKey, body: { version: 1, decision: 'APPROVE' } }))).statusCode).toBe(200);
    expect(recorded.slice(1)).toEqual([[MetricName.REVIEW_WAIT, DECIDED_AT.getTime() - NOW.getTime()], [MetricName.STUDIES_COMPLETED, 1]]);
    // A refused (second) decision records nothing, and every request flushes.
    expect((await handler(apiEvent({ studyKey: pending.studyKey, body: { version: 1, decision: 'APPROVE' } }))).statusCode).toBe(409);
    expect(recorded).toHaveLength(3);
    expect(flushes).toBe(3);
  });

  test('a late decision that overtakes the deadline step: its revision 2 stands, and the deadline step announces nothing', async () => {
    const study = await heldStudy(bed);
    expect(await markReviewOverdue(bed.table, study.studyKey, 1)).toBe(true); // the deadline step has begun
    const { handler } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect(bodyOf(result)).toMatchObject({ outcome: 'REPORT_REVISED', report: { revision: 2, studyStatus: 'COMPLETED' } });
    const persisted = await runDeadlineStep(bed, study.studyKey);
    expect(persisted).toMatchObject({ reportVersion: 1, status: 'COMPLETED', overtaken: true });
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'COMPLETED', reportRevision: 2, reviewDecision: 'APPROVED' });
    bed.eventBridge.resetHistory();
    const { aggregate } = (await getReview(bed.table, study.studyKey, 1))!;
    const announced = await notifyOutcome({ events: bed.events(), messages: bed.messages() }, {
      studyKey: study.studyKey, version: 1, aggregate, persisted, detailType: DetailType.REVIEW_OVERDUE,
    });
    expect(announced.notified).toBe(false);
    expect(bed.eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('a late REJECT completes the study with a preliminary revision 2', async () => {
    const study = await heldStudy(bed, { overdue: true });
    const { handler } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'REJECT', reason: 'Not diagnostic quality' } }));
    expect(bodyOf(result)).toMatchObject({ outcome: 'REPORT_REVISED', report: { revision: 2, studyStatus: 'COMPLETED' } });
    expect((await reportJson(`studies/${study.studyKey}/reports/v1/r2/diagnostic-report.json`)).status).toBe('preliminary');
    expect(await getStudy(bed.table, study.studyKey)).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
  });
});

describe('refusals', () => {
  test.each([
    ['invalid JSON', { rawBody: '{"version": 1,' }, 'The request body is not valid JSON', undefined],
    ['no body', { rawBody: '' }, 'The request needs a JSON body', undefined],
    ['a list', { body: [1] }, 'The body must be a JSON object', undefined],
    ['an unknown decision and a bad version', { body: { version: 0, decision: 'MAYBE' } }, 'The decision request is invalid',
      ['version must be a positive integer', 'decision must be one of APPROVE, AMEND, REJECT']],
    ['amendments on an approval', { body: { version: 1, decision: 'APPROVE', amendments: [{ type: 'REMOVE', findingIndex: 0, reason: 'x' }] } },
      'The decision request is invalid', ['amendments are only allowed with decision AMEND']],
    ['an amendment without changes', { body: { version: 1, decision: 'AMEND', amendments: [] } }, 'The decision request is invalid', ['decision AMEND needs at least one amendment']],
    ['a reason with control characters', { body: { version: 1, decision: 'REJECT', reason: 'line\nbreak' } }, 'The decision request is invalid',
      ['reason must be 1-500 printable characters']],
  ])('400 for %s, with a message naming fields (never values)', async (_what, options, message, problems) => {
    const study = await heldStudy(bed);
    const { handler } = decisionHandler();
    const result = await handler(apiEvent({ studyKey: study.studyKey, ...options }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ message, ...(problems === undefined ? {} : { problems }) });
    expect(result.body).not.toContain('MAYBE');
    expect((await getReview(bed.table, study.studyKey, 1))?.reviewStatus).toBe('PENDING');
  });

  test('400 for a malformed study key', async () => {
    const result = await decisionHandler().handler(apiEvent({ studyKey: 'STUDY#x', body: { version: 1, decision: 'APPROVE' } }));
    expect([result.statusCode, bodyOf(result).message]).toEqual([400, 'studyKey must be 1-64 lower-case letters and digits']);
  });

  test('403 without an authenticated identity in the request context (before the body is read)', async () => {
    const study = await heldStudy(bed);
    const result = await decisionHandler().handler(apiEvent({ studyKey: study.studyKey, userArn: null, rawBody: 'not json' }));
    expect([result.statusCode, bodyOf(result)]).toEqual([403, { message: 'The request carries no authenticated reviewer identity' }]);
  });

  test('404 for an unknown study and for a version without a review', async () => {
    const { handler } = decisionHandler();
    const unknown = await handler(apiEvent({ studyKey: 'nosuchstudy', body: { version: 1, decision: 'APPROVE' } }));
    expect([unknown.statusCode, bodyOf(unknown)]).toEqual([404, { message: 'No study with this key' }]);
    const study = await heldStudy(bed);
    const noVersion = await handler(apiEvent({ studyKey: study.studyKey, body: { version: 7, decision: 'APPROVE' } }));
    expect([noVersion.statusCode, bodyOf(noVersion)]).toEqual([404, { message: 'No review was requested for version 7 of this study' }]);
  });

  test('409 for a study that is not awaiting review', async () => {
    const study = await heldStudy(bed);
    const failed = { studyKey: study.studyKey, version: 1, from: [StudyStatus.IN_REVIEW], to: StudyStatus.FAILED, now: NOW.toISOString() };
    await transitionStudy(bed.table, failed);
    const result = await decisionHandler().handler(apiEvent({ studyKey: study.studyKey, body: { version: 1, decision: 'APPROVE' } }));
    expect([result.statusCode, bodyOf(result)]).toEqual([409, { message: 'The study is not awaiting review' }]);
    expect((await getReview(bed.table, study.studyKey, 1))?.reviewStatus).toBe('PENDING');
  });
});

test('no task token in any response body, log line, event, message or task answer', async () => {
  const log = recordingLog();
  const { handler } = decisionHandler(log);
  const pending = await heldStudy(bed, { rules: [{ action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.STAT }] });
  const overdue = await heldStudy(bed, { overdue: true });
  const bodies = [
    await handler(apiEvent({ studyKey: pending.studyKey, body: { version: 1, decision: 'APPROVE' } })),
    await handler(apiEvent({ studyKey: pending.studyKey, body: { version: 1, decision: 'APPROVE' } })),
    await handler(apiEvent({ studyKey: overdue.studyKey, body: { version: 1, decision: 'AMEND', amendments: [{ type: 'REMOVE', findingIndex: 0, reason: 'Artefact' }] } })),
    await handler(apiEvent({ studyKey: pending.studyKey, body: { version: 1, decision: 'NOPE' } })),
  ].map((r) => r.body);
  const everything = [...bodies, JSON.stringify(log.lines), bed.sent()].join('\n');
  expect(everything).not.toContain(TOKEN);
  expect(everything.toLowerCase()).not.toContain('tasktoken');
  expect(bed.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1); // the token went to Step Functions, and only there
});
