/**
 * GET /worklist and GET /studies/{studyKey} against dynalite + s3rver: the
 * order a clinician works in, and one study with its findings (by index, with
 * action and priority) and presigned preview URLs that return the preview bytes.
 */
import { apiEvent, bodyOf, heldStudy, NOW, PREVIEW_BYTES, recordingLog, reviewApiTestbed, runDeadlineStep, TOKEN } from './review-api-fixture';
import { handleStudy } from '../../../../src/runtime/handlers/review-api/study.lambda';
import { handleWorklist } from '../../../../src/runtime/handlers/review-api/worklist.lambda';
import { previewUrlExpirySeconds } from '../../../../src/runtime/steps/review-api/settings';
import { MAX_FINDING_PREVIEWS, MAX_OTHER_PREVIEWS, MAX_VIEW_FINDINGS } from '../../../../src/runtime/steps/review-api/study-view';
import { WorklistEntry } from '../../../../src/runtime/steps/review-api/worklist';
import { transitionStudy } from '../../../../src/runtime/storage/studies';
import { FindingAction, StudyPriority } from '../../../../src/shared/finding-rules';
import { StudyStatus } from '../../../../src/shared/records';

const bed = reviewApiTestbed();
const LATER = new Date(NOW.getTime() + 30 * 60_000); // 30 minutes after the reviews were requested

const worklist = () => handleWorklist({ table: bed.table, log: recordingLog(), clock: () => LATER });
const study = (log = recordingLog()) => handleStudy({
  table: bed.table, s3: bed.engines.s3, derivedBucket: bed.engines.buckets.derived, previewUrlExpirySeconds: 120, log, clock: () => LATER,
});

const hold = (priority: StudyPriority) => [{ action: FindingAction.HOLD_FOR_REVIEW, priority }];

describe('GET /worklist', () => {
  test('STAT > URGENT > ROUTINE, then the earliest deadline (overdue ones lead their priority), in the review queue index order', async () => {
    const routineSoon = await heldStudy(bed, { rules: hold(StudyPriority.ROUTINE), deadlineSeconds: 3600 });
    const routineLate = await heldStudy(bed, { rules: hold(StudyPriority.ROUTINE), deadlineSeconds: 7200 });
    const stat = await heldStudy(bed, { rules: hold(StudyPriority.STAT), deadlineSeconds: 3600 });
    const urgent = await heldStudy(bed, { rules: hold(StudyPriority.URGENT), deadlineSeconds: 3600 });
    const overdue = await heldStudy(bed, { rules: hold(StudyPriority.ROUTINE), deadlineSeconds: 1800, overdue: true });
    // Its deadline (10 minutes) passed before LATER, though the workflow has not marked it yet.
    const pastDeadline = await heldStudy(bed, { rules: hold(StudyPriority.ROUTINE), deadlineSeconds: 600 });
    const result = await worklist()(apiEvent());
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    const mine = new Set([routineSoon, routineLate, stat, urgent, overdue, pastDeadline].map((s) => s.studyKey));
    const order = (body.studies as WorklistEntry[]).filter((e) => mine.has(e.studyKey));
    expect(order.map((e) => [e.studyKey, e.priority, e.overdue])).toEqual([
      [stat.studyKey, 'STAT', false],
      [urgent.studyKey, 'URGENT', false],
      [pastDeadline.studyKey, 'ROUTINE', true],
      [overdue.studyKey, 'ROUTINE', true],
      [routineSoon.studyKey, 'ROUTINE', false],
      [routineLate.studyKey, 'ROUTINE', false],
    ]);
    expect(order[0]).toEqual({
      studyKey: stat.studyKey,
      version: 1,
      priority: 'STAT',
      overdue: false,
      reviewDeadline: '2025-09-01T09:00:00.000Z',
      modality: 'DX',
      instanceCount: 2,
      updatedAt: NOW.toISOString(),
    });
    expect(body).toMatchObject({ total: body.studies.length, truncated: false });
    expect(result.body).not.toContain(TOKEN);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  });

  test('a decided study leaves the worklist', async () => {
    const held = await heldStudy(bed, { rules: hold(StudyPriority.STAT) });
    const listed = async () => (bodyOf(await worklist()(apiEvent())).studies as WorklistEntry[]).map((e) => e.studyKey);
    expect(await listed()).toContain(held.studyKey);
    await runDeadlineStep(bed, held.studyKey); // still IN_REVIEW (overdue): still listed
    expect(await listed()).toContain(held.studyKey);
    const decided = { studyKey: held.studyKey, version: 1, from: [StudyStatus.IN_REVIEW], to: StudyStatus.COMPLETED, now: NOW.toISOString() };
    await transitionStudy(bed.table, decided);
    expect(await listed()).not.toContain(held.studyKey);
  });
});

describe('GET /studies/{studyKey}', () => {
  test('the current version: summary, analyzers, every triaged finding with its index, action and priority', async () => {
    const held = await heldStudy(bed, {
      findings: [{ label: 'Nodule', confidence: 0.55 }, { label: 'Noise', confidence: 0.1 }, { label: 'Effusion', confidence: 0.93, imageRef: 's1/i2' }],
      rules: [{ match: { labels: ['Noise'] }, action: FindingAction.SUPPRESS }, { match: { labels: ['Effusion'] }, action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.URGENT },
        { action: FindingAction.RELEASE }],
      images: 3,
    });
    const result = await study()(apiEvent({ studyKey: held.studyKey }));
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body).toMatchObject({
      studyKey: held.studyKey,
      version: 1,
      status: 'IN_REVIEW',
      priority: 'URGENT',
      overdue: false,
      instanceCount: 3,
      review: { status: 'PENDING', requestedAt: NOW.toISOString(), deadline: '2025-09-01T09:00:00.000Z', reasons: ['FINDING_HELD'] },
      summary: { findingCount: 2, heldCount: 1, suppressedCount: 1, maxConfidence: 0.93 },
      analyzers: [{ analyzerName: 'cxr', modelId: 'acme.cxr', modelVersion: '3', status: 'SUCCEEDED', findingCount: 3, imageCount: 3, failedImageCount: 0 }],
      findingsTotal: 3,
      findingsTruncated: false,
    });
    expect(body.findings).toEqual([
      { index: 0, analyzerName: 'cxr', action: 'RELEASE', priority: 'ROUTINE', label: 'Nodule', confidence: 0.55, imageRef: 's1/i1' },
      { index: 1, analyzerName: 'cxr', action: 'SUPPRESS', priority: 'ROUTINE', label: 'Noise', confidence: 0.1, imageRef: 's1/i1' },
      { index: 2, analyzerName: 'cxr', action: 'HOLD_FOR_REVIEW', priority: 'URGENT', label: 'Effusion', confidence: 0.93, imageRef: 's1/i2' },
    ]);
    // Internal S3 locations and the token stay out.
    expect(result.body).not.toContain(TOKEN);
    expect(result.body).not.toContain('triage.json');
    expect(result.body).not.toContain('result.json');
  });

  test('presigned preview URLs, valid for the configured minutes, for the images the findings name and a few others; they return the preview bytes', async () => {
    const held = await heldStudy(bed, { findings: [{ label: 'Nodule', confidence: 0.5, imageRef: 's1/i3' }], images: 8 });
    const body = bodyOf(await study()(apiEvent({ studyKey: held.studyKey })));
    const previews = body.previews as Array<{ imageRef: string; url: string; expiresAt: string; namedByFindings: boolean; width: number }>;
    expect(previews.map((p) => [p.imageRef, p.namedByFindings])).toEqual([
      ['s1/i3', true], ['s1/i1', false], ['s1/i2', false], ['s1/i4', false],
    ]);
    expect(previews).toHaveLength(1 + MAX_OTHER_PREVIEWS);
    for (const p of previews) {
      const url = new URL(p.url);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
      expect(url.pathname).toContain(`/studies/${held.studyKey}/${p.imageRef}/preview.png`);
      expect(p.expiresAt).toBe(new Date(LATER.getTime() + 120_000).toISOString());
      expect(p.width).toBe(64);
    }
    const fetched = Buffer.from(await (await fetch(previews[0].url)).arrayBuffer());
    expect(fetched.equals(PREVIEW_BYTES)).toBe(true);
  });

  test('the response stays bounded for a study with many findings and images', async () => {
    const findings = Array.from({ length: MAX_VIEW_FINDINGS + 25 }, (_, i) => ({ label: `F${i}`, confidence: 0.5, imageRef: `s1/i${(i % 20) + 1}` }));
    const held = await heldStudy(bed, { findings, images: 20 });
    const body = bodyOf(await study()(apiEvent({ studyKey: held.studyKey })));
    expect(body.findings).toHaveLength(MAX_VIEW_FINDINGS);
    expect(body).toMatchObject({ findingsTotal: MAX_VIEW_FINDINGS + 25, findingsTruncated: true });
    expect(body.previews.filter((p: { namedByFindings: boolean }) => p.namedByFindings)).toHaveLength(MAX_FINDING_PREVIEWS);
    expect(body.previews.length).toBeLessThanOrEqual(MAX_FINDING_PREVIEWS + MAX_OTHER_PREVIEWS);
  });

  test('404 for an unknown study, 400 for a malformed key, and the decision once made', async () => {
    const log = recordingLog();
    const unknown = await study(log)(apiEvent({ studyKey: 'nosuchstudy' }));
    expect([unknown.statusCode, bodyOf(unknown)]).toEqual([404, { message: 'No study with this key' }]);
    const malformed = await study(log)(apiEvent({ studyKey: '../etc' }));
    expect(malformed.statusCode).toBe(400);
    expect(log.lines).toEqual([
      { level: 'warn', message: 'Review API request refused', fields: { errorCode: 'NOT_FOUND', status: 404 } },
      { level: 'warn', message: 'Review API request refused', fields: { errorCode: 'BAD_REQUEST', status: 400 } },
    ]);
  });
});

describe('the preview URL lifetime setting', () => {
  test('defaults to 5 minutes; a value that is not 1-3600 whole seconds is refused', () => {
    expect(previewUrlExpirySeconds({})).toBe(300);
    expect(previewUrlExpirySeconds({ PREVIEW_URL_EXPIRY_SECONDS: '90' })).toBe(90);
    for (const bad of ['0', '3601', '1.5', 'soon']) {
      expect(() => previewUrlExpirySeconds({ PREVIEW_URL_EXPIRY_SECONDS: bad })).toThrow(/PREVIEW_URL_EXPIRY_SECONDS must be a whole number of seconds from 1 to 3600/);
    }
  });
});
