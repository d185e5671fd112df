/**
 * `npm run demo`: synthesizes the example app, runs the whole system locally
 * (see local-system.ts), pushes a small varied set of studies through it, and
 * writes demo-output/index.html with every study's report and previews.
 */
import * as fs from 'fs';
import * as path from 'path';
import { corruptUploads, dicomSeries, jpegUpload, pngUpload, Upload } from './dataset';
import { LocalSystem, REVIEW_DESK_SESSION, sleep, StudyItem } from './local-system';
import { standInReviewerArn } from './review-api-server';
import { writeSite, SiteAiService, SiteStudy, SiteRejection } from './site';
import { synthesizeExample } from './template';
import { LOCAL_REVIEWER } from './workflow';

export interface DemoOptions {
  readonly repoDir: string;
  readonly outDir: string;
  readonly log?: (line: string) => void;
}

export interface DemoSummary {
  readonly studies: SiteStudy[];
  /** The AI services the analyzers called (all local stand-ins). */
  readonly aiServices: SiteAiService[];
  readonly rejections: SiteRejection[];
  readonly uploads: number;
  readonly durationMs: number;
  readonly events: number;
  readonly notifications: number;
}

/** Quiet period the demo gives the sweeper instead of the template's 300 s. */
const DEMO_QUIET_PERIOD_SECONDS = 3;

export function demoUploads(): Upload[] {
  const ct = dicomSeries({ study: 0, modality: 'CT', slices: 6, size: 128 });
  const dx = dicomSeries({ study: 1, modality: 'DX', slices: 1, size: 320 })[0];
  const png = pngUpload(2, 200, 150);
  const jpeg = jpegUpload(3, 320, 240);
  const [truncated] = corruptUploads(1);
  const duplicate: Upload = { ...dx, key: dx.key.replace('.dcm', '-resent.dcm'), label: 'DX again (duplicate upload)' };
  return [...ct, dx, png, jpeg, truncated, duplicate];
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const tmp = path.join(options.repoDir, '.tmp', 'demo');
  fs.rmSync(tmp, { recursive: true, force: true });

  log('1/4 Synthesizing the example app (buildExampleApp) ...');
  const example = synthesizeExample(path.join(tmp, 'cdk.out'));
  log(`    template: ${path.relative(options.repoDir, example.templateFile)}`);

  log('2/4 Starting local engines (dynalite, s3rver on loopback) and the stand-ins ...');
  const system = await LocalSystem.start({
    example,
    workDir: path.join(tmp, 'run'),
    quietPeriodSeconds: DEMO_QUIET_PERIOD_SECONDS,
  });
  try {
    log(`    DynamoDB ${system.engines.endpoints.dynamodb}, S3 ${system.engines.endpoints.s3}, stand-ins ${system.standIns.endpoint}`);
    log(`    state machine from the template: ${system.taskMappings.length} task states mapped (${system.taskMappings.map((m) => `${m.stateName} -> ${m.kind === 'lambda' ? 'bundled handler' : m.kind === 'events-put-wait' ? 'event bus + review stand-in' : m.kind}`).join('; ')})`);
    for (const [what, change] of Object.entries(system.overrides)) log(`    time compressed: ${what} ${change}`);
    log(`    review desk: ${system.reviewDesk}`);
    const aiAnalyzers = analyzersByService(system);
    if (aiAnalyzers.size > 0) {
      log(`    AI services answered by local stand-ins (recorded responses): ${[...aiAnalyzers].map(([service, names]) => `${service} for ${names.join(', ')}`).join('; ')}`);
    }

    const uploads = demoUploads();
    log(`3/4 Uploading ${uploads.length} objects to s3://${system.resources.uploadBucket}/${system.resources.uploadPrefix} ...`);
    for (const upload of uploads) {
      await system.upload(upload.key, upload.body);
      log(`    uploaded ${upload.label} (${upload.body.length} bytes)`);
    }
    let last = '';
    await system.settle(150_000, () => {
      const line = progressLine(system);
      if (line !== last) log(`    ${line}`);
      last = line;
    });
    await sleep(200);

    log('4/4 Collecting results ...');
    const items = await system.scanTable();
    for (const line of reviewLines(system, items)) log(`    ${line}`);
    const { studies, rejections } = await collectSite(system, items, options.outDir);
    const aiServices = aiServiceSummary(system, aiAnalyzers);
    const summary: DemoSummary = {
      studies,
      aiServices,
      rejections,
      uploads: uploads.length,
      durationMs: Date.now() - started,
      events: system.events.filter((e) => e.event.source !== 'aws.s3').length,
      notifications: system.notifications.length,
    };
    writeSite(options.outDir, {
      studies,
      rejections,
      uploads: uploads.length,
      overrides: system.overrides,
      events: summary.events,
      notifications: summary.notifications,
      reviewer: system.reviewApi === undefined ? LOCAL_REVIEWER : standInReviewerArn(REVIEW_DESK_SESSION),
      reviewApiDecisions: system.reviewApi?.requests.filter((r) => r.route === DECISION_ROUTE && r.status === 200).length,
      templateFile: path.relative(options.repoDir, example.templateFile),
      aiServices,
    });
    fs.writeFileSync(path.join(options.outDir, 'summary.json'), JSON.stringify(summary, null, 2));
    log('');
    log(formatTable(studies, rejections, options));
    log('');
    log(`${uploads.length} uploads -> ${studies.length} studies, ${rejections.length} rejected; ${summary.events} pipeline events, ${summary.notifications} notifications; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    log(`Open ${path.relative(options.repoDir, path.join(options.outDir, 'index.html'))}`);
    return summary;
  } finally {
    await system.stop();
  }
}

const DECISION_ROUTE = 'POST /studies/{studyKey}/decision';

/** Each held study the review desk decided through the review API, and where the study ended up. */
function reviewLines(system: LocalSystem, items: StudyItem[]): string[] {
  return (system.reviewApi?.requests ?? []).filter((r) => r.route === DECISION_ROUTE).map((r) => {
    const studyKey = r.path.split('/')[3];
    const meta = items.find((i) => i.PK === `STUDY#${studyKey}` && i.SK === 'META');
    return `held for review: ${studyKey} (${String(meta?.priority ?? '-')}) -> decided through the review API: ${r.method} ${r.path} as ${r.reviewer ?? '-'} -> ${r.status}`
      + ` -> ${String(meta?.status ?? '?')}${meta?.reviewDecision === undefined ? '' : ` (${String(meta.reviewDecision)})`}`;
  });
}

/** The service names of ai-stand-ins.ts, by the `service` of an analyzer function's ANALYZER_SETTINGS. */
const AI_SERVICES: Record<string, string> = { rekognition: 'Rekognition', bedrock: 'Bedrock Runtime', sagemaker: 'SageMaker Runtime' };

/** Which analyzers call which AI service, read from the template (each analyzer function's settings). */
function analyzersByService(system: LocalSystem): Map<string, string[]> {
  const byService = new Map<string, string[]>();
  for (const mapping of system.taskMappings) {
    const name = /^(?:Analyze|Submit) (\S+?)(?: batch)?$/.exec(mapping.stateName)?.[1];
    const fn = mapping.functionLogicalId === undefined ? undefined : system.template.Resources[mapping.functionLogicalId];
    const variables = (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    const raw = variables?.ANALYZER_SETTINGS;
    if (name === undefined || typeof raw !== 'string') continue;
    const service = AI_SERVICES[String((JSON.parse(raw) as { service?: unknown }).service)];
    if (service !== undefined && !(byService.get(service) ?? []).includes(name)) byService.set(service, [...byService.get(service) ?? [], name]);
  }
  return byService;
}

function aiServiceSummary(system: LocalSystem, analyzers: Map<string, string[]>): SiteAiService[] {
  return [...analyzers].map(([service, names]) => {
    const calls = system.standIns.ai.calls.filter((c) => c.service === service);
    return {
      service,
      operations: [...new Set(calls.map((c) => c.operation))],
      calls: calls.length,
      refused: [...new Set(calls.flatMap((c) => (c.error === undefined ? [] : [c.error])))],
      analyzers: names,
    };
  });
}

function progressLine(system: LocalSystem): string {
  const processed = system.logs.filter((l) => l.line.includes('"message":"Object processed"')).length;
  const executions = [...system.workflow.executions.values()];
  const done = executions.filter((e) => e.status !== 'RUNNING').length;
  return `ingested ${processed} object(s); analyses ${done}/${executions.length} finished, ${system.workflow.running} running; queue ${system.queue(system.resources.ingestQueue).size}`;
}

/** An analyzer's findings, from the study result its ANALYSIS item points at (findings can outgrow an item). */
async function storedFindings(system: LocalSystem, analysis: StudyItem): Promise<SiteStudy['findings']> {
  const result = analysis.result as { bucket: string; key: string } | undefined;
  if (result === undefined) return [];
  const stored = JSON.parse((await system.getObject(result.bucket, result.key)).toString('utf8')) as { findings: Array<{ label: string; confidence: number }> };
  return stored.findings.map((f) => ({ analyzer: String(analysis.analyzerName), label: f.label, confidence: f.confidence }));
}

/** Reads studies, findings and rejections from the table and copies reports and previews out of the buckets. */
export async function collectSite(
  system: LocalSystem, items: StudyItem[], outDir: string,
): Promise<{ studies: SiteStudy[]; rejections: SiteRejection[] }> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'reports'), { recursive: true });
  fs.mkdirSync(path.join(outDir, 'previews'), { recursive: true });
  const byStudy = new Map<string, StudyItem[]>();
  for (const item of items) {
    if (!item.PK.startsWith('STUDY#')) continue;
    byStudy.set(item.PK, [...byStudy.get(item.PK) ?? [], item]);
  }
  const studies: SiteStudy[] = [];
  for (const [, group] of byStudy) {
    const meta = group.find((i) => i.SK === 'META')!;
    const studyKey = String(meta.studyKey);
    const version = Number(meta.version);
    const instances = group.filter((i) => i.SK.startsWith('INSTANCE#'));
    const analyses = group.filter((i) => i.SK.startsWith('ANALYSIS#') && Number(i.version) === version);
    const report = group.find((i) => i.SK.startsWith('REPORT#') && Number(i.version) === version);
    let reportPath: string | undefined;
    if (report !== undefined) {
      reportPath = `reports/${studyKey}-v${version}.html`;
      fs.writeFileSync(path.join(outDir, reportPath), await system.getObject(system.resources.reportsBucket, String(report.htmlKey)));
    }
    const previews: string[] = [];
    for (const [index, instance] of instances.entries()) {
      const previewPath = `previews/${studyKey}-${index + 1}.png`;
      fs.writeFileSync(path.join(outDir, previewPath), await system.getObject(system.resources.derivedBucket, String(instance.previewKey)));
      previews.push(previewPath);
    }
    studies.push({
      studyKey,
      version,
      status: String(meta.status),
      modality: String(meta.modality ?? instances[0]?.modality ?? ''),
      kind: String(instances[0]?.kind ?? ''),
      images: instances.length,
      reviewDecision: meta.reviewDecision === undefined ? undefined : String(meta.reviewDecision),
      findings: (await Promise.all(analyses.map((a) => storedFindings(system, a)))).flat(),
      analyzers: analyses.map((a) => ({ name: String(a.analyzerName), status: String(a.status), model: `${String(a.modelId)}@${String(a.modelVersion)}` })),
      reportPath,
      previews,
    });
  }
  studies.sort((a, b) => a.modality.localeCompare(b.modality) || a.studyKey.localeCompare(b.studyKey));
  const rejections: SiteRejection[] = items.filter((i) => i.PK.startsWith('REJECTED#')).map((i) => ({
    objectHash: String(i.objectHash), reasonCode: String(i.reasonCode), quarantineKey: String(i.quarantineKey),
  }));
  return { studies, rejections };
}

function formatTable(studies: SiteStudy[], rejections: SiteRejection[], options: DemoOptions): string {
  const rows = [['study', 'modality', 'images', 'status', 'findings', 'report']];
  for (const s of studies) {
    rows.push([
      s.studyKey, s.modality, String(s.images), s.status + (s.reviewDecision ? ` (review ${s.reviewDecision})` : ''),
      s.findings.length === 0 ? '-' : s.findings.map((f) => `${f.label} ${f.confidence.toFixed(2)}`).join('; '),
      s.reportPath === undefined ? '-' : path.relative(options.repoDir, path.join(options.outDir, s.reportPath)),
    ]);
  }
  for (const r of rejections) rows.push([`(object ${r.objectHash.slice(0, 12)}...)`, '-', '0', `REJECTED ${r.reasonCode}`, '-', '-']);
  const widths = rows[0].map((_, c) => Math.min(60, Math.max(...rows.map((r) => r[c].length))));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (cell.length > widths[c] ? `${cell.slice(0, widths[c] - 1)}~` : cell.padEnd(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

if (require.main === module) {
  const repoDir = path.resolve(__dirname, '..', '..');
  runDemo({ repoDir, outDir: path.join(repoDir, 'demo-output') }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`Demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
