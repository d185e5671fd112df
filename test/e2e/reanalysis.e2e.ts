/**
 * Re-analysis on the local runner: 20 stored DX studies (and a CT study the
 * selection leaves out) are re-analysed by one run of the re-analysis state
 * machine, its Distributed Map at the template's MaxConcurrency. Only the
 * analyzer asked for runs again (the others carry over their results); each
 * study gets version 2 with an amended FHIR DiagnosticReport and a change
 * summary. One study's de-identified images were deleted in between: it is
 * reported NOT_FOUND, and the run still succeeds. Then an `Analysis Requested`
 * event naming one study gives it version 3.
 */
import * as fs from 'fs';
import * as path from 'path';
import { capturedOutputs, E2E_DIR, eventsBreakingTheirSchema, findPhi } from './support';
import { dicomSeries, phiStrings, Upload } from '../../scripts/local-runner/dataset';
import { LocalSystem, sleep, StudyItem } from '../../scripts/local-runner/local-system';
import { synthesizeExample } from '../../scripts/local-runner/template';
import { findReanalysis } from '../../scripts/local-runner/template-wiring';
import { TriagedFinding } from '../../src/core/findings';
import { runResultKey, runSummaryKey } from '../../src/core/reanalysis';
import { triageKey } from '../../src/shared/records';

const DX_STUDIES = 20;
const RERUN = 'rekognition';
const CARRIED = ['image-quality', 'resolution-check'];

describe('re-analysis of past studies', () => {
  let system: LocalSystem;
  let studyKeys: string[];
  let ctKey: string;
  let deletedKey: string;
  let editedKey: string;
  let editedV1: TriagedFinding[];
  let items: StudyItem[];
  let runStatus: string;
  const timings: string[] = [];

  const json = async <T>(bucket: string, key: string): Promise<T> => JSON.parse((await system.getObject(bucket, key)).toString('utf8')) as T;
  const meta = (key: string) => items.find((i) => i.PK === `STUDY#${key}` && i.SK === 'META')!;
  const analysis = (key: string, analyzer: string, version: number) =>
    items.find((i) => i.PK === `STUDY#${key}` && i.SK === `ANALYSIS#${analyzer}#v${String(version).padStart(4, '0')}`)!;

  beforeAll(async () => {
    const started = Date.now();
    // Every finding released at once (the run is about versions, not the review desk), and the
    // example's three analyzers that need nothing in the account (no Bedrock or SageMaker stand-ins).
    const example = synthesizeExample(path.join(E2E_DIR, 'reanalysis', 'cdk.out'), { autoReleaseThreshold: '0', bedrockModelId: '', sageMakerEndpointName: '' });
    const workDir = path.join(E2E_DIR, 'runs', 'reanalysis');
    fs.rmSync(workDir, { recursive: true, force: true });
    system = await LocalSystem.start({ example, workDir, sweepIntervalMs: 500, quietPeriodSeconds: 2 });

    // ---- 21 small single-image studies, ingested and analysed as any upload.
    const uploads: Upload[] = [
      ...Array.from({ length: DX_STUDIES }, (_, i) => dicomSeries({ study: 200 + i, modality: 'DX', slices: 1, size: 96 })).flat(),
      ...dicomSeries({ study: 240, modality: 'CT', slices: 1, size: 96 }),
    ];
    await Promise.all(uploads.map((u) => system.upload(u.key, u.body)));
    await system.settle(120_000);
    items = await system.scanTable();
    const metas = items.filter((i) => i.SK === 'META' && i.PK.startsWith('STUDY#'));
    expect(metas.map((m) => [m.status, m.version])).toEqual(Array(DX_STUDIES + 1).fill(['COMPLETED', 1]));
    ctKey = String(metas.find((m) => m.modality === 'CT')!.studyKey);
    studyKeys = metas.filter((m) => m.modality === 'DX').map((m) => String(m.studyKey)).sort();
    timings.push(`ingest and analysis of ${uploads.length} studies ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // ---- In between: one study's de-identified images are erased (its record stays) ...
    deletedKey = studyKeys[3];
    const instances = items.filter((i) => i.PK === `STUDY#${deletedKey}` && i.SK.startsWith('INSTANCE#'));
    for (const instance of instances) {
      for (const key of [instance.analysisKey, instance.previewKey, instance.metadataKey, instance.dicomKey]) {
        if (typeof key === 'string') await system.deleteObject(system.resources.derivedBucket, key);
      }
    }
    // ... and one study's version 1 findings are what an older model said: one finding fewer,
    // one at another confidence and one the new model no longer reports.
    editedKey = studyKeys[0];
    const triage = await json<TriagedFinding[]>(system.resources.derivedBucket, triageKey(editedKey, 1));
    const rerun = triage.filter((t) => t.analyzerName === RERUN);
    expect(rerun.length).toBeGreaterThanOrEqual(2);
    editedV1 = [
      ...triage.filter((t) => t !== rerun[0] && t !== rerun[1]),
      { ...rerun[1], finding: { ...rerun[1].finding, confidence: Math.max(0, rerun[1].finding.confidence - 0.25) } },
      { ...rerun[1], finding: { ...rerun[1].finding, label: 'Old model artefact', confidence: 0.5 } },
    ];
    await system.storeElsewhere(system.resources.derivedBucket, triageKey(editedKey, 1), Buffer.from(JSON.stringify(editedV1)));

    // ---- The run: DX studies received since the test started, the rekognition analyzer only.
    const runStarted = Date.now();
    const run = system.startReanalysis({ analyzers: [RERUN], modalities: ['DX'], receivedFrom: new Date(started - 60_000).toISOString() }, 'new-label-model');
    await run.done;
    runStatus = run.status;
    timings.push(`re-analysis run of ${DX_STUDIES} studies ${((Date.now() - runStarted) / 1000).toFixed(1)} s (${run.childExecutions} child executions)`);
    await system.settle(60_000);
    items = await system.scanTable();
    process.stdout.write(`reanalysis e2e: ${timings.join('; ')}\n`);
  }, 240_000);

  afterAll(async () => system?.stop());

  test('the run succeeds with one study NOT_FOUND: the summary and Reanalysis Completed count it', async () => {
    expect(runStatus).toBe('SUCCEEDED');
    const summary = await json<Record<string, unknown>>(system.resources.reportsBucket, runSummaryKey('new-label-model'));
    expect(summary).toMatchObject({
      runId: 'new-label-model',
      analyzers: [RERUN],
      studyCount: DX_STUDIES,
      succeeded: DX_STUDIES - 1,
      failed: 1,
      unaccounted: 0,
      failedByReason: { NOT_FOUND: 1, BUSY: 0, ANALYSIS_FAILED: 0 },
      failures: [{ studyKey: deletedKey, reason: 'NOT_FOUND' }],
    });
    expect(await json(system.resources.reportsBucket, runResultKey('new-label-model', deletedKey)))
      .toEqual({ studyKey: deletedKey, status: 'FAILED', reason: 'NOT_FOUND', errorName: 'StudyNotFound' });
    const completed = system.events.filter((e) => e.event['detail-type'] === 'Reanalysis Completed').map((e) => e.event.detail);
    expect(completed).toEqual([{
      schemaVersion: '1',
      runId: 'new-label-model',
      analyzers: [RERUN],
      studyCount: DX_STUDIES,
      succeeded: DX_STUDIES - 1,
      failed: 1,
      notFound: 1,
      busy: 0,
      analysisFailed: 0,
      unaccounted: 0,
      summaryKey: 'reanalysis-runs/new-label-model/summary.json',
    }]);
    // The deleted study keeps its version; the CT study was never selected.
    expect(meta(deletedKey)).toMatchObject({ status: 'COMPLETED', version: 1 });
    expect(meta(ctKey)).toMatchObject({ status: 'COMPLETED', version: 1 });
    // The Distributed Map ran with the template's bound.
    type Definition = { States: Record<string, { MaxConcurrency?: number }> };
    const definition = findReanalysis(system.template, system.names)!.definition as unknown as Definition;
    expect(definition.States['Re-analyse studies'].MaxConcurrency).toBe(10);
  });

  test('every other study has version 2: the asked-for analyzer ran again, the others carried over, the report is amended', async () => {
    const reanalysed = studyKeys.filter((k) => k !== deletedKey);
    for (const key of reanalysed) {
      expect(meta(key)).toMatchObject({ status: 'COMPLETED', version: 2, reanalysis: { runId: 'new-label-model', previousVersion: 1, analyzers: [RERUN] } });
      const reports = items.filter((i) => i.PK === `STUDY#${key}` && i.SK.startsWith('REPORT#')).map((r) => [r.version, r.reportStatus]);
      expect(reports).toEqual([[1, 'final'], [2, 'amended']]);
      const v2 = items.find((i) => i.PK === `STUDY#${key}` && i.SK === 'REPORT#0002#01')!;
      const report = await json<{ resourceType: string; status: string }>(system.resources.reportsBucket, String(v2.fhirKey));
      expect([report.resourceType, report.status]).toEqual(['DiagnosticReport', 'amended']);
      // The re-run analyzer planned its own batches; the carried-over ones kept their previous results.
      expect(analysis(key, RERUN, 2)).toMatchObject({ status: 'SUCCEEDED', imageCount: 1 });
      for (const name of CARRIED) {
        const [before, after] = [analysis(key, name, 1), analysis(key, name, 2)];
        const { status, findingCount, modelVersion, imageCount } = before;
        expect(after).toMatchObject({ status, findingCount, modelVersion, imageCount });
        expect(String((after.result as { key: string }).key)).toContain('/v0002/');
      }
      const result = await json<Record<string, unknown>>(system.resources.reportsBucket, runResultKey('new-label-model', key));
      expect(result).toMatchObject({ studyKey: key, status: 'SUCCEEDED', previousVersion: 1, version: 2, reportStatus: 'amended' });
    }
    // Only the re-run analyzer wrote batches for version 2.
    const v2Executions = [...system.workflow.executions.values()].filter((e) => e.name.endsWith('-v2'));
    expect(v2Executions).toHaveLength(reanalysed.length);
    for (const execution of v2Executions) {
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.statesEntered).toContain(`${RERUN} batches`);
    }
  });

  test('the change summary names the findings added, removed and whose confidence moved', async () => {
    const result = await json<{ changesKey: string }>(system.resources.reportsBucket, runResultKey('new-label-model', editedKey));
    const changes = await json<Record<string, any>>(system.resources.reportsBucket, result.changesKey);
    const v2 = await json<TriagedFinding[]>(system.resources.derivedBucket, triageKey(editedKey, 2));
    const rerunV2 = v2.filter((t) => t.analyzerName === RERUN);
    expect(changes).toMatchObject({ studyKey: editedKey, previousVersion: 1, version: 2 });
    expect(changes.added.map((f: { label: string }) => f.label)).toEqual([rerunV2[0].finding.label]);
    expect(changes.removed.map((f: { label: string }) => f.label)).toEqual(['Old model artefact']);
    expect(changes.confidenceMoved).toEqual([expect.objectContaining({
      analyzerName: RERUN,
      label: rerunV2[1].finding.label,
      previousConfidence: editedV1.find((t) => t.finding.label === rerunV2[1].finding.label)!.finding.confidence,
      confidence: rerunV2[1].finding.confidence,
    })]);
    expect(changes.unchangedCount).toBe(editedV1.length - 2);
    // An unedited study: the same model answers the same, nothing moved.
    const same = await json<{ changesKey: string; added: number; removed: number; confidenceMoved: number }>(
      system.resources.reportsBucket, runResultKey('new-label-model', studyKeys[1]));
    expect([same.added, same.removed, same.confidenceMoved]).toEqual([0, 0, 0]);
  });

  test('an Analysis Requested event naming a study re-analyses it as version 3; no PHI anywhere; every event matches its schema', async () => {
    const key = studyKeys[1];
    system.requestAnalysis({ version: '1', studyKey: key, analyzers: ['image-quality'] });
    const deadline = Date.now() + 60_000;
    while ((system.reanalysis!.executions.size < 2 || system.reanalysis!.running > 0) && Date.now() < deadline) await sleep(200);
    await system.settle(60_000);
    items = await system.scanTable();
    const requested = [...system.reanalysis!.executions.values()].find((e) => e.name.startsWith('request-'))!;
    expect(requested.status).toBe('SUCCEEDED');
    expect(meta(key)).toMatchObject({ status: 'COMPLETED', version: 3, reanalysis: { previousVersion: 2, analyzers: ['image-quality'] } });
    // The study form went to the re-analysis only: ingest neither saw nor refused it.
    expect(system.events.filter((e) => e.event['detail-type'] === 'Object Rejected')).toEqual([]);

    const phi = phiStrings([...Array.from({ length: DX_STUDIES }, (_, i) => 200 + i), 240], 1);
    const outputs = [
      ...capturedOutputs(system),
      ...[...system.reanalysis!.executions.values()].map((e) => ({ where: `run ${e.name}`, text: JSON.stringify({ input: e.input, output: e.output, error: e.error }) })),
    ];
    expect(findPhi(outputs, phi)).toEqual([]);
    expect(eventsBreakingTheirSchema(system)).toEqual([]);
  }, 120_000);
});
