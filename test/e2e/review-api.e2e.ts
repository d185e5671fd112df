/**
 * The review API end to end on the local runner: the example's template with
 * a ReviewApi (added here until the pipeline composes one), its bundled
 * handlers behind the loopback API server, the stand-in reviewer identity in
 * place of SigV4. Held studies are decided over HTTP: by the review desk, by
 * hand (amend, reject, forged, repeated), and late, after the deadline.
 */
import * as fs from 'fs';
import * as path from 'path';
import { capturedOutputs, E2E_DIR, eventsBreakingTheirSchema } from './support';
import { pngUpload } from '../../scripts/local-runner/dataset';
import { LocalSystem, LocalSystemOptions, REVIEW_DESK_SESSION, StudyItem } from '../../scripts/local-runner/local-system';
import { standInReviewerArn } from '../../scripts/local-runner/review-api-server';
import { SynthesizedExample, synthesizeExample } from '../../scripts/local-runner/template';
import { MetricName } from '../../src/shared/metrics';
import { emfMetrics } from '../support/emf';

let example: SynthesizedExample;

beforeAll(() => {
  example = synthesizeExample(path.join(E2E_DIR, 'review-api', 'cdk.out'));
}, 180_000);

async function withSystem<T>(name: string, options: Partial<LocalSystemOptions>, run: (system: LocalSystem) => Promise<T>): Promise<T> {
  const workDir = path.join(E2E_DIR, 'runs', name);
  fs.rmSync(workDir, { recursive: true, force: true });
  const system = await LocalSystem.start({ example, workDir, sweepIntervalMs: 500, quietPeriodSeconds: 1, ...options });
  try {
    return await run(system);
  } finally {
    await system.stop();
  }
}

/** Single PNGs the example holds for review (the resolution check reports 200x150 at 0.41, below the 0.8 threshold). */
async function uploadHeld(system: LocalSystem, studies: number[]): Promise<void> {
  for (const study of studies) {
    const upload = pngUpload(study, 200, 150);
    await system.upload(upload.key, upload.body);
  }
}

/** Custom metric name -> the values the handlers wrote as EMF during the run. */
function emitted(system: LocalSystem): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const m of emfMetrics(system.logs.filter((l) => l.stream === 'stdout').map((l) => l.line).join('\n'))) {
    (out[m.name] ??= []).push(...(Array.isArray(m.value) ? m.value : [m.value]));
  }
  return out;
}

const byStudy = (items: StudyItem[], studyKey: string, prefix: string) => items.filter((i) => i.PK === `STUDY#${studyKey}` && i.SK.startsWith(prefix));
const json = (body: string) => JSON.parse(body) as Record<string, any>;

function expectNoTaskToken(system: LocalSystem): void {
  const tokens = [...system.workflow.executions.values()].flatMap((e) => e.taskTokens);
  expect(tokens.length).toBeGreaterThan(0);
  const outputs = [
    ...capturedOutputs(system),
    ...(system.reviewApi?.requests ?? []).map((r) => ({ where: 'api', text: JSON.stringify(r) })),
  ];
  const hits = outputs.filter((o) => tokens.some((t) => o.text.includes(t)));
  expect(hits.map((h) => h.where)).toEqual([]);
  expect(eventsBreakingTheirSchema(system)).toEqual([]);
}

test('the review desk approves through the HTTP API: the workflow resumes and the study completes with a final report', async () => {
  await withSystem('review-desk-approve', {}, async (system) => {
    expect(system.reviewApi).toBeDefined();
    expect(system.reviewDesk).toContain('POST http://127.0.0.1:');
    expect(system.reviewDesk).toContain(standInReviewerArn(REVIEW_DESK_SESSION));
    await uploadHeld(system, [70]);
    await system.settle(90_000);
    const [execution] = [...system.workflow.executions.values()];
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['Review required (ROUTINE)', 'Persist reviewed results', 'Notify decision']));
    const items = await system.scanTable();
    const meta = items.find((i) => i.SK === 'META' && i.PK.startsWith('STUDY#'))!;
    const studyKey = String(meta.studyKey);
    expect(meta).toMatchObject({ status: 'COMPLETED', reviewDecision: 'APPROVED' });
    expect(byStudy(items, studyKey, 'REVIEW#')).toEqual([expect.objectContaining({ reviewStatus: 'DECIDED', reviewer: standInReviewerArn(REVIEW_DESK_SESSION) })]);
    expect(byStudy(items, studyKey, 'REVIEW#')[0].taskToken).toBeUndefined();
    expect(byStudy(items, studyKey, 'EVENT#')).toEqual([expect.objectContaining({ eventType: 'REVIEW_DECISION', decision: 'APPROVED', reviewer: standInReviewerArn(REVIEW_DESK_SESSION) })]);
    expect(byStudy(items, studyKey, 'REPORT#').map((r) => r.reportStatus)).toEqual(['final']);
    expect(system.reviewApi!.requests).toEqual([expect.objectContaining({ method: 'POST', route: 'POST /studies/{studyKey}/decision', status: 200 })]);
    expectNoTaskToken(system);
    // The decision's wait, the completion and its latency (which includes the wait) as EMF metrics.
    const metrics = emitted(system);
    expect(metrics[MetricName.REVIEW_WAIT]).toHaveLength(1);
    expect(metrics[MetricName.STUDIES_COMPLETED]).toEqual([1]);
    expect(metrics[MetricName.END_TO_END_LATENCY]).toHaveLength(1);
    expect(metrics[MetricName.END_TO_END_LATENCY][0]).toBeGreaterThan(metrics[MetricName.REVIEW_WAIT][0]);
    expect(metrics[MetricName.REVIEWS_OVERDUE]).toBeUndefined();
  });
}, 180_000);

test('by hand: amend changes the final report and records the diff; reject is recorded; forged and repeated decisions are refused', async () => {
  await withSystem('review-by-hand', { review: { mode: 'manual' } }, async (system) => {
    const api = system.reviewApi!;
    await uploadHeld(system, [71, 72]);
    // Both executions wait for a clinician (manual desk): settle is not reached while they run.
    const deadline = Date.now() + 90_000;
    let worklist: Array<Record<string, any>> = [];
    while (worklist.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      worklist = json((await api.call('GET', 'worklist', { session: 'dr-lee' })).body).studies;
    }
    expect(worklist.map((w) => [w.priority, w.overdue])).toEqual([['ROUTINE', false], ['ROUTINE', false]]);
    const [amended, rejected] = worklist.map((w) => String(w.studyKey));

    const view = json((await api.call('GET', `studies/${amended}`, { session: 'dr-lee' })).body);
    const target = (view.findings as Array<Record<string, any>>).find((f) => f.action !== 'SUPPRESS')!;
    expect(view.previews.length).toBeGreaterThan(0);
    const preview = await fetch(view.previews[0].url);
    expect(Buffer.from(await preview.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');

    const unsigned = await api.call('POST', `studies/${amended}/decision`, { body: { version: 1, decision: 'APPROVE' } });
    expect(unsigned.status).toBe(403);
    const amend = await api.call('POST', `studies/${amended}/decision`, {
      session: 'dr-lee',
      body: { version: 1, decision: 'AMEND', reviewer: 'someone-else', amendments: [{ type: 'RELABEL', findingIndex: target.index, label: 'Low resolution, repeat imaging', reason: 'Clearer wording' }] },
    });
    expect([amend.status, json(amend.body).outcome]).toEqual([200, 'WORKFLOW_RESUMED']);
    const again = await api.call('POST', `studies/${amended}/decision`, { session: 'dr-kim', body: { version: 1, decision: 'APPROVE' } });
    expect([again.status, json(again.body).message]).toEqual([409, 'Version 1 of this study was already decided']);
    const reject = await api.call('POST', `studies/${rejected}/decision`, { session: 'dr-lee', body: { version: 1, decision: 'REJECT', reason: 'Not a diagnostic image' } });
    expect(reject.status).toBe(200);
    await system.settle(90_000);

    const items = await system.scanTable();
    const [amendedReport] = byStudy(items, amended, 'REPORT#');
    expect(amendedReport).toMatchObject({ reportStatus: 'final', reviewDecision: 'AMENDED', reviewer: standInReviewerArn('dr-lee') });
    const html = (await system.getObject(system.resources.reportsBucket, String(amendedReport.htmlKey))).toString('utf8');
    expect(html).toContain('Low resolution, repeat imaging');
    expect(html).not.toContain(String(target.label));
    expect(byStudy(items, amended, 'EVENT#')).toEqual([expect.objectContaining({
      decision: 'AMENDED', reviewer: standInReviewerArn('dr-lee'), after: expect.arrayContaining(['Low resolution, repeat imaging']), before: expect.arrayContaining([target.label]),
    })]);
    expect(JSON.stringify(items)).not.toContain('someone-else');
    expect(byStudy(items, rejected, 'META')[0]).toMatchObject({ status: 'COMPLETED', reviewDecision: 'REJECTED' });
    expect(byStudy(items, rejected, 'REPORT#')[0]).toMatchObject({ reportStatus: 'preliminary', reviewDecision: 'REJECTED' });
    expect(byStudy(items, rejected, 'EVENT#')).toEqual([expect.objectContaining({ decision: 'REJECTED', reason: 'Not a diagnostic image' })]);
    expectNoTaskToken(system);
  });
}, 240_000);

test('past the deadline: Review Overdue, the study stays on the worklist as overdue, and a late decision yields report revision 2', async () => {
  await withSystem('review-late', { review: { mode: 'timeout' } }, async (system) => {
    const api = system.reviewApi!;
    await uploadHeld(system, [73]);
    await system.settle(90_000);
    expect(system.events.filter((e) => e.event['detail-type'] === 'Review Overdue')).toHaveLength(1);
    const [entry] = json((await api.call('GET', 'worklist', { session: 'dr-lee' })).body).studies;
    expect(entry).toMatchObject({ overdue: true, version: 1 });
    const late = await api.call('POST', `studies/${entry.studyKey}/decision`, { session: 'dr-lee', body: { version: 1, decision: 'APPROVE' } });
    expect(late.status).toBe(200);
    expect(json(late.body)).toMatchObject({ outcome: 'REPORT_REVISED', report: { revision: 2, studyStatus: 'COMPLETED' } });
    const items = await system.scanTable();
    expect(byStudy(items, entry.studyKey, 'REPORT#').map((r) => [r.revision, r.reportStatus])).toEqual([[1, 'preliminary'], [2, 'final']]);
    expect(byStudy(items, entry.studyKey, 'META')[0]).toMatchObject({ status: 'COMPLETED', reportRevision: 2, reviewDecision: 'APPROVED' });
    const completed = system.events.filter((e) => e.event['detail-type'] === 'Analysis Completed');
    expect(completed.map((e) => (e.event.detail as Record<string, unknown>).reportVersion)).toEqual([2]);
    expect(json((await api.call('GET', 'worklist', { session: 'dr-lee' })).body).studies).toEqual([]);
    expectNoTaskToken(system);
    // Overdue at the deadline (preliminary report: the latency ends there), completed by the late decision.
    const metrics = emitted(system);
    expect(metrics[MetricName.REVIEWS_OVERDUE]).toEqual([1]);
    expect(metrics[MetricName.STUDIES_COMPLETED]).toEqual([1]);
    expect(metrics[MetricName.REVIEW_WAIT]).toHaveLength(1);
    expect(metrics[MetricName.END_TO_END_LATENCY]).toHaveLength(1);
  });
}, 180_000);
