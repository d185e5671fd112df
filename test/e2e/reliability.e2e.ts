/**
 * End to end on the local runner: the example system from its synthesized
 * template, bundled handlers, dynalite, s3rver and aws-local-stepfunctions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { capturedOutputs, E2E_DIR, eventsBreakingTheirSchema, findPhi, planOf, reportObjects, sha256 } from './support';
import { corruptUploads, dicomSeries, jpegUpload, phiStrings, pngUpload, Upload } from '../../scripts/local-runner/dataset';
import { LocalSystem, sleep, StudyItem } from '../../scripts/local-runner/local-system';
import { SynthesizedExample, synthesizeExample } from '../../scripts/local-runner/template';
import { MetricName, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../src/shared/metrics';
import { seededRandom } from '../fixtures/images';
import { emfMetrics } from '../support/emf';

// Longer than the gaps the shuffled, duplicated ingest backlog leaves between
// slices of one series here, with room for a busy CI machine: a crashed batch
// comes back only after the 10 s visibility timeout, and at 15 s a slow run
// once split a series into two analyses (the template's 300 s is sized for
// real uploads).
const QUIET_PERIOD_SECONDS = 30;

let example: SynthesizedExample;

beforeAll(() => {
  example = synthesizeExample(path.join(E2E_DIR, 'default', 'cdk.out'));
}, 120_000);

function workDir(name: string): string {
  const dir = path.join(E2E_DIR, 'runs', name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

function shuffle<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const metas = (items: StudyItem[]) => items.filter((i) => i.PK.startsWith('STUDY#') && i.SK === 'META');

describe('200 uploads across 20 studies, with faults', () => {
  // 16 DICOM series x 12 slices (half announce their instance count, half rely
  // on the quiet period), 2 PNG + 2 JPEG single images, 4 corrupt files.
  const seriesStudies = Array.from({ length: 16 }, (_, i) => i);
  const late = dicomSeries({ study: 0, modality: 'CT', slices: 12, size: 64 });
  const lateInstance = late[11];
  const uploads: Upload[] = [
    ...late.slice(0, 11),
    ...seriesStudies.slice(1).flatMap((study) => dicomSeries({ study, modality: study % 3 === 0 ? 'MR' : 'CT', slices: 12, size: 64, announceCount: study % 2 === 0 })),
    pngUpload(16, 120, 90), pngUpload(17, 300, 300), jpegUpload(18, 200, 160), jpegUpload(19, 400, 300),
    ...corruptUploads(1), ...corruptUploads(2),
  ];
  const poison = ['this is not an event', JSON.stringify({ detail: { note: 'an event without a bucket' } })];

  let system: LocalSystem;
  let items: StudyItem[];
  let lateUploadedAt = 0;
  let timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    system = await LocalSystem.start({
      example,
      workDir: workDir('reliability'),
      quietPeriodSeconds: QUIET_PERIOD_SECONDS,
      sweepIntervalMs: 500,
      visibilityTimeoutMs: 10_000,
      faults: {
        duplicateDelivery: true,
        ingestCrashAfterObjects: 4,
        lambdaServiceErrors: { stateName: /^Analyze /, errors: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException'] },
      },
    });
    // Poison first: it is redelivered (visibility timeout) until the redrive policy moves it.
    for (const body of poison) system.sendRawMessage(body);
    // Out of order, in batches of 20 uploaded at once; study 0 (the interrupted one) comes last.
    const early = late.slice(0, 11);
    const shuffled = shuffle(uploads.filter((u) => !early.includes(u)), 7);
    for (let i = 0; i < shuffled.length; i += 20) {
      await Promise.all(shuffled.slice(i, i + 20).map((u) => system.upload(u.key, u.body)));
      await sleep(150);
    }
    await Promise.all(shuffle(early, 8).map((u) => system.upload(u.key, u.body)));
    // Once all of it is ingested, the late instance arrives in the middle of study 0's
    // quiet period, timed from study 0's own last arrival (not from when the queue
    // went idle: poison messages keep it busy for several visibility timeouts).
    const expectedRecords = uploads.length; // 195 instances + 4 rejections
    const earlyHashes = new Set(early.map((u) => sha256(u.body)));
    let lastEarlyArrival = 0;
    for (;;) {
      const recordedItems = (await system.scanTable()).filter((i) => i.SK.startsWith('INSTANCE#') || i.PK.startsWith('REJECTED#'));
      if (recordedItems.length >= expectedRecords) {
        lastEarlyArrival = Math.max(...recordedItems
          .filter((i) => earlyHashes.has(String(i.sourceSha256)))
          .map((i) => Date.parse(String(i.receivedAt))));
        break;
      }
      await sleep(250);
    }
    const lateAt = lastEarlyArrival + (QUIET_PERIOD_SECONDS * 1000) / 2;
    if (Date.now() > lateAt) throw new Error('the machine is too slow for this scenario: study 0 was ingested more than half a quiet period ago');
    await sleep(lateAt - Date.now());
    lateUploadedAt = Date.now();
    await system.upload(lateInstance.key, lateInstance.body);
    await system.settle(240_000);
    items = await system.scanTable();
    timings = { totalMs: Date.now() - started };
  }, 360_000);

  afterAll(async () => {
    await system?.stop();
    // For the CI artifacts: what ran, how often, with how many retries.
    fs.writeFileSync(path.join(E2E_DIR, 'reliability-executions.json'), JSON.stringify([...system?.workflow.executions.values() ?? []].map((e) => ({
      name: e.name, status: e.status, startedAt: e.startedAt, endedAt: e.endedAt, retries: e.retries, states: e.statesEntered,
    })), null, 1));
    fs.writeFileSync(path.join(E2E_DIR, 'reliability-logs.txt'), (system?.logs ?? []).map((l) => `${l.functionName} ${l.line}`).join('\n'));
    // One plain line for the CI log.
    process.stdout.write(`e2e reliability: ${uploads.length + 1} uploads, ${JSON.stringify(timings)}, crashes ${JSON.stringify(system?.host.stats()[system.resources.ingestFunction])}, `
      + `injected service errors ${system?.injectedServiceErrors}, poller ${JSON.stringify(system?.pollerStats)}\n`);
  });

  test('every valid upload is an instance of a COMPLETED study; 20 studies', () => {
    const studies = metas(items);
    expect(studies).toHaveLength(20);
    expect(studies.map((s) => s.status)).toEqual(Array(20).fill('COMPLETED'));
    const completed = new Set(studies.map((s) => s.PK));
    const instanceHashes = new Map(items.filter((i) => i.SK.startsWith('INSTANCE#')).map((i) => [String(i.sourceSha256), i.PK]));
    const valid = [...uploads.filter((u) => !u.corrupt), lateInstance];
    expect(valid).toHaveLength(196); // 200 uploads minus 4 corrupt
    const missing = valid.filter((u) => !completed.has(instanceHashes.get(sha256(u.body)) ?? ''));
    expect(missing.map((u) => u.key)).toEqual([]);
    expect(instanceHashes.size).toBe(valid.length);
  });

  test('every corrupt upload is REJECTED with a reason and quarantined', () => {
    const rejected = items.filter((i) => i.PK.startsWith('REJECTED#'));
    expect(rejected).toHaveLength(4);
    for (const r of rejected) {
      expect(r.status).toBe('REJECTED');
      expect(['TRUNCATED_DICOM', 'UNSUPPORTED_FORMAT', 'INVALID_DICOM']).toContain(r.reasonCode);
      expect(String(r.quarantineKey)).toMatch(new RegExp(`^quarantine/${String(r.reasonCode)}/`));
    }
  });

  test('the handlers wrote their custom metrics as EMF under the service name the template gives, and the alarms watch those names', () => {
    const emitted = emfMetrics(system.logs.filter((l) => l.stream === 'stdout').map((l) => l.line).join('\n'));
    const resources = Object.values(example.template.Resources) as Array<{ Type: string; Properties: Record<string, any> }>;
    // The library's functions (the example's own analyzer function and CDK's helpers set none).
    const named = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined);
    expect(named.length).toBeGreaterThan(10);
    const services = new Set(named.map((r) => r.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME));
    expect(services.size).toBe(1);
    const [service] = [...services];
    for (const m of emitted) {
      expect(m.namespace).toBe(METRICS_NAMESPACE);
      expect(m.dimensions[SERVICE_DIMENSION]).toBe(service);
      expect(Object.values(MetricName)).toContain(m.name);
    }
    const values = (name: string) => emitted.filter((m) => m.name === name).flatMap((m) => (Array.isArray(m.value) ? m.value : [m.value]));
    const sum = (name: string) => values(name).reduce((a, b) => a + b, 0);
    // Each image counts once though delivered twice; a crashed ingest environment loses the unflushed
    // count of the (at most 4) objects it processed before the crash, as a Lambda environment would.
    const crashes = system.host.stats()[system.resources.ingestFunction].crashes;
    expect(crashes).toBeGreaterThan(0);
    expect(sum(MetricName.IMAGES_INGESTED)).toBeLessThanOrEqual(196);
    expect(sum(MetricName.IMAGES_INGESTED)).toBeGreaterThanOrEqual(196 - 4 * crashes);
    const rejectedReasons = new Set(emitted.filter((m) => m.name === MetricName.IMAGES_REJECTED).map((m) => m.dimensions.Reason));
    expect(rejectedReasons).toEqual(new Set(items.filter((i) => i.PK.startsWith('REJECTED#')).map((i) => i.reasonCode)));
    expect(sum(MetricName.STUDIES_COMPLETED)).toBeGreaterThanOrEqual(20);
    // One latency per completed study version, each between its first upload and the end of the run.
    const latencies = values(MetricName.END_TO_END_LATENCY);
    expect(latencies.length).toBeGreaterThanOrEqual(20);
    for (const ms of latencies) expect(ms > 0 && ms < timings.totalMs).toBe(true);
    const analyzersTimed = new Set(emitted.filter((m) => m.name === MetricName.ANALYZER_DURATION).map((m) => m.dimensions.Analyzer));
    expect([...analyzersTimed].sort()).toEqual(analyzerNames());
    // The template's custom-metric alarms name the handlers' metrics under the same service dimension.
    const watched = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === METRICS_NAMESPACE);
    expect(watched.map((r) => r.Properties.MetricName).sort()).toEqual([MetricName.END_TO_END_LATENCY, MetricName.REVIEWS_OVERDUE]);
    for (const alarm of watched) expect(alarm.Properties.Dimensions).toEqual([{ Name: SERVICE_DIMENSION, Value: service }]);
  });

  const analyzerNames = () => system.taskMappings
    .filter((m) => /^Analyze [^ ]+$/.test(m.stateName)).map((m) => m.stateName.slice('Analyze '.length)).sort();
  const analysesOf = (pk: string) => items.filter((i) => i.PK === pk && i.SK.startsWith('ANALYSIS#'));

  test('no study is analysed twice: one execution, one analysis per analyzer, one report each', () => {
    const executions = [...system.workflow.executions.values()];
    expect(executions).toHaveLength(20);
    expect(executions.map((e) => e.status)).toEqual(Array(20).fill('SUCCEEDED'));
    expect(new Set(executions.map((e) => JSON.parse(e.input).studyKey)).size).toBe(20);
    expect(analyzerNames()).toEqual(['bedrock', 'image-quality', 'local-cxr-detector', 'rekognition', 'resolution-check']);
    for (const study of metas(items)) {
      const own = items.filter((i) => i.PK === study.PK);
      expect(analysesOf(study.PK).map((i) => i.analyzerName).sort()).toEqual(analyzerNames());
      expect(own.filter((i) => i.SK.startsWith('REPORT#'))).toHaveLength(1);
      expect(study.version).toBe(1);
    }
    // Each analyzer function ran once per batch of what its plan selected; an analyzer that sees
    // every image saw each once, one that sees the middle image of each series saw one per series.
    const stats = system.host.stats();
    for (const mapping of system.taskMappings.filter((m) => /^Analyze [^ ]+$/.test(m.stateName))) {
      const analyzer = mapping.stateName.slice('Analyze '.length);
      const { batchSize, selection } = planOf(system, analyzer);
      let batches = 0;
      for (const study of metas(items)) {
        const analysis = analysesOf(study.PK).find((a) => a.analyzerName === analyzer)!;
        const images = items.filter((i) => i.PK === study.PK && i.SK.startsWith('INSTANCE#')).length;
        const selected = analysis.status === 'SKIPPED' ? 0 : selection.strategy === 'ALL' ? images : 1;
        expect(analysis).toMatchObject({ imageCount: selected, failedImageCount: 0 });
        batches += Math.ceil(selected / batchSize);
      }
      expect(stats[mapping.functionLogicalId!].invocations).toBe(batches);
    }
  });

  test('the faults happened and the template\'s Retry absorbed the Lambda service errors', () => {
    expect(system.host.stats()[system.resources.ingestFunction].crashes).toBe(1);
    expect(system.pollerStats.failedInvocations).toBeGreaterThanOrEqual(1);
    // Every analyzer that ran in an execution was throttled, then hit a service error, then answered.
    let injected = 0;
    for (const execution of system.workflow.executions.values()) {
      const studyKey = JSON.parse(execution.input).studyKey as string;
      for (const analysis of analysesOf(`STUDY#${studyKey}`)) {
        const ran = analysis.status !== 'SKIPPED';
        expect([analysis.analyzerName, execution.retries[`Analyze ${String(analysis.analyzerName)}`] ?? 0]).toEqual([analysis.analyzerName, ran ? 2 : 0]);
        if (ran) injected += 2;
      }
    }
    expect(system.injectedServiceErrors).toBe(injected);
    expect(injected).toBeGreaterThanOrEqual(80);
    // The only analyzer that does not apply is Rekognition on the 64-pixel series (its smallest image is 80 px).
    const analyses = items.filter((i) => i.SK.startsWith('ANALYSIS#'));
    const notSucceeded = analyses.filter((a) => a.status !== 'SUCCEEDED');
    expect(new Set(notSucceeded.map((a) => `${String(a.analyzerName)} ${String(a.status)} ${String(a.skipReason)}`))).toEqual(new Set(['rekognition SKIPPED IMAGE_TOO_SMALL']));
    // Every object-created event under the upload prefix went to the queue twice.
    const routed = system.events.filter((e) => e.matchedRules.length > 0 && e.event.source === 'aws.s3').length;
    expect(routed).toBe(uploads.length + 1);
    expect(system.queue(system.resources.ingestQueue).sent).toBe(2 * routed + poison.length);
  });

  test('the quiet period restarted when the late instance arrived: one analysis with all 12 slices', () => {
    const studyExecutions = [...system.workflow.executions.values()];
    const withTwelve = studyExecutions.filter((e) => (e.output as { study?: { imageCount?: number } })?.study?.imageCount === 12);
    // 15 CT/MR series of 12 slices + the interrupted one.
    expect(withTwelve).toHaveLength(16);
    const lateStudy = items.find((i) => i.SK.startsWith('INSTANCE#') && i.sourceSha256 === sha256(lateInstance.body))!;
    const execution = studyExecutions.find((e) => JSON.parse(e.input).studyKey === lateStudy.studyKey)!;
    expect(execution.startedAt).toBeGreaterThanOrEqual(lateUploadedAt + QUIET_PERIOD_SECONDS * 1000 - 500);
    expect((execution.output as { study: { imageCount: number } }).study.imageCount).toBe(12);
  });

  test('no message is left unprocessed', () => {
    expect(system.queue(system.resources.ingestQueue).size).toBe(0);
    const dlq = system.queue(system.resources.deadLetterQueue).all().map((m) => m.body);
    for (const body of poison) expect(dlq).toContain(body);
  });

  // Includes the duplicate deliveries of quarantined objects: on an unversioned
  // bucket (s3rver) the object is gone by then, and ingest skips it.
  test('the DLQ holds exactly the poison messages', () => {
    const dlq = system.queue(system.resources.deadLetterQueue).all().map((m) => m.body);
    expect(dlq.sort()).toEqual([...poison].sort());
  });

  test('no PHI in any log line, event, notification, execution data or report (FHIR, HTML, SR)', async () => {
    const reports = await reportObjects(system);
    expect(reports.filter((r) => r.where.endsWith('fhir-bundle.json'))).toHaveLength(20);
    const outputs = [...capturedOutputs(system), ...reports];
    expect(outputs.length).toBeGreaterThan(1000);
    // One completion per study, and one review notice per study held for review.
    const subjects = system.notifications.map((n) => n.subject);
    expect(subjects.filter((s) => s === 'Imaging pipeline: Analysis Completed')).toHaveLength(20);
    const reviews = system.events.filter((e) => e.event['detail-type'] === 'Review Required').length;
    expect(subjects.filter((s) => s?.startsWith('Imaging study needs review'))).toHaveLength(reviews);
    expect(subjects).toHaveLength(20 + reviews);
    const phi = phiStrings([...seriesStudies, 16, 17, 18, 19, 901, 902], 12);
    expect(phi.length).toBeGreaterThan(150);
    expect(findPhi(outputs, phi)).toEqual([]);
    expect(eventsBreakingTheirSchema(system)).toEqual([]);
    // The scan can find what it looks for: the inputs do carry the PHI.
    expect(findPhi([{ where: 'upload', text: uploads[0].body.toString('latin1') }], phi).length).toBeGreaterThan(0);
  });
});

describe('engines killed and restarted between two phases', () => {
  test('no committed data is lost and phase two completes', async () => {
    const system = await LocalSystem.start({ example, workDir: workDir('restart'), quietPeriodSeconds: 2, sweepIntervalMs: 500 });
    try {
      const phase1 = [...dicomSeries({ study: 40, modality: 'CT', slices: 4, size: 64, announceCount: true }), pngUpload(41, 100, 80), ...corruptUploads(3).slice(0, 1)];
      for (const u of phase1) await system.upload(u.key, u.body);
      await system.settle(120_000);
      const before = await system.scanTable();
      expect(metas(before).map((m) => m.status)).toEqual(['COMPLETED', 'COMPLETED']);

      await system.restartEngines();
      const after = await system.scanTable();
      expect(after).toEqual(before);
      for (const instance of before.filter((i) => i.SK.startsWith('INSTANCE#'))) {
        expect((await system.getObject(system.resources.derivedBucket, String(instance.previewKey))).length).toBeGreaterThan(0);
      }

      const phase2 = [...dicomSeries({ study: 42, modality: 'MR', slices: 3, size: 64 }), jpegUpload(43, 160, 120)];
      for (const u of phase2) await system.upload(u.key, u.body);
      await system.settle(120_000);
      const final = await system.scanTable();
      expect(metas(final).map((m) => m.status)).toEqual(Array(4).fill('COMPLETED'));
      for (const item of before) expect(final).toContainEqual(item.SK === 'META' ? expect.objectContaining({ PK: item.PK, SK: 'META' }) : item);
      expect(findPhi(capturedOutputs(system), phiStrings([40, 41, 42, 43, 903], 4))).toEqual([]);
    } finally {
      await system.stop();
    }
  }, 240_000);
});
