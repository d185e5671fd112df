/**
 * `npm run cost`: runs the synthesized example locally on one single-image DX
 * study and one 300-slice CT study, counts what each used (state transitions
 * of the definition as executed, Lambda durations with the template's memory,
 * DynamoDB and S3 requests served by the local engines, events, logs, AI
 * calls) and prints the pipeline's own cost per 1,000 studies next to the
 * naive design, with AI service fees apart and the assumptions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { aiFees, CostLine, naiveStudyCost, StudyUsage, studyCost, total } from './model';
import { PRICE_LIST_DATE, PRICE_REGION } from './prices';
import { dicomSeries, Upload } from '../local-runner/dataset';
import { LocalSystem } from '../local-runner/local-system';
import { synthesizeExample } from '../local-runner/template';

const REPO_DIR = path.resolve(__dirname, '..', '..');
const WORK_DIR = path.join(REPO_DIR, '.tmp', 'cost');

interface Mix {
  readonly name: string;
  readonly uploads: Upload[];
}

const MIXES: Mix[] = [
  { name: 'DX, 1 image', uploads: dicomSeries({ study: 0, modality: 'DX', slices: 1, size: 256, announceCount: true }) },
  { name: 'CT, 300 slices', uploads: dicomSeries({ study: 1, modality: 'CT', slices: 300, size: 128, announceCount: true }) },
];

async function measure(system: LocalSystem, mix: Mix): Promise<StudyUsage> {
  await system.engines.requestCounts(true);
  const lambdaBefore = system.host.stats();
  const seen = new Set(system.workflow.executions.keys());
  const [events, notifications, logs] = [system.events.length, system.notifications.length, system.logs.length];
  const aiCalls = system.standIns.ai.calls.length;
  for (const upload of mix.uploads) await system.upload(upload.key, upload.body);
  await system.settle(900_000);
  const counts = await system.engines.requestCounts(true);
  const lambdaAfter = system.host.stats();
  const executions = [...system.workflow.executions.entries()].filter(([name]) => !seen.has(name)).map(([, e]) => e);
  if (executions.length !== 1 || executions[0].status !== 'SUCCEEDED') throw new Error(`${mix.name}: expected one succeeded execution`);
  const execution = executions[0];
  const ai: Record<string, number> = {};
  for (const call of system.standIns.ai.calls.slice(aiCalls)) ai[call.service] = (ai[call.service] ?? 0) + 1;
  return {
    images: mix.uploads.length,
    // The start of each execution counts as a transition, as does every state entered (child executions' states included).
    stateTransitions: 1 + execution.childExecutions + execution.statesEntered.length,
    // The sweeper runs on a schedule whatever the load (and locally every second): a fixed cost, not a study's.
    lambda: Object.entries(lambdaAfter).map(([name, after]) => ({
      name,
      invocations: after.invocations - (lambdaBefore[name]?.invocations ?? 0),
      durationMs: after.durationMs - (lambdaBefore[name]?.durationMs ?? 0),
      memoryMb: system.host.spec(name).memoryMb,
    })).filter((f) => f.invocations > 0 && f.name !== system.resources.sweeperFunction),
    dynamodb: counts.dynamodb,
    s3: counts.s3,
    queueMessages: mix.uploads.length,
    events: system.events.slice(events).filter((e) => e.event.source !== 'aws.s3' && e.event.source !== 'aws.states').length,
    notifications: system.notifications.length - notifications,
    logBytes: system.logs.slice(logs).reduce((n, l) => n + Buffer.byteLength(l.line) + 1, 0),
    aiCalls: ai,
  };
}

const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;
const lines = (items: readonly CostLine[], scale: number) => items.map((l) => `    ${l.item.padEnd(40)} ${usd(l.usd * scale).padStart(10)}`).join('\n');

async function main(): Promise<void> {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  const example = synthesizeExample(path.join(WORK_DIR, 'cdk.out'));
  // Both mixes are ready without the sweeper (a single image at once, the CT when its announced count is reached);
  // running it on the local 1 s schedule would add its queries to every study's counts.
  const system = await LocalSystem.start({ example, workDir: path.join(WORK_DIR, 'run'), quietPeriodSeconds: 3, sweepIntervalMs: 0 });
  const usages: StudyUsage[] = [];
  try {
    for (const mix of MIXES) usages.push(await measure(system, mix));
  } finally {
    await system.stop();
  }
  const [dx] = usages;
  const out: string[] = [
    'Pipeline cost per 1,000 studies (the pipeline\'s own AWS usage; AI service fees apart)',
    `Assumptions: region ${PRICE_REGION}, on-demand prices of ${PRICE_LIST_DATE} (scripts/cost/prices.ts), free tiers ignored, arm64 Lambda;`,
    '  usage counted on the synthesized example run locally (Lambda durations measured on this machine, a pessimistic stand-in for Lambda);',
    '  DynamoDB: 1 request unit per request; storage, KMS (bucket keys), data transfer, the scheduled sweeper and the SageMaker endpoint\'s hours',
    '  (fixed costs, not per study) not included;',
    '  naive design: every image runs its own Standard workflow (the single-image path measured on the DX study, once per image).',
  ];
  const result: Record<string, unknown> = { region: PRICE_REGION, priceListDate: PRICE_LIST_DATE, mixes: [] };
  MIXES.forEach((mix, i) => {
    const usage = usages[i];
    const own = studyCost(usage);
    const naive = naiveStudyCost(dx, usage.images);
    const ratio = naive / total(own);
    out.push('', `${mix.name}: ${usage.stateTransitions} state transitions, ${usage.lambda.reduce((n, f) => n + f.invocations, 0)} Lambda invocations, `
      + `${Object.values(usage.dynamodb).reduce((a, b) => a + b, 0)} DynamoDB and ${Object.values(usage.s3).reduce((a, b) => a + b, 0)} S3 requests per study`);
    out.push(lines(own, 1000));
    out.push(`    ${'pipeline total per 1,000 studies'.padEnd(40)} ${usd(total(own) * 1000).padStart(10)}`);
    out.push(`    ${'naive design per 1,000 studies'.padEnd(40)} ${usd(naive * 1000).padStart(10)}   (pipeline = 1/${ratio.toFixed(1)} of naive)`);
    const fees = aiFees(usage);
    if (fees.length > 0) out.push('    AI service fees per study, apart:', lines(fees, 1).replace(/^ {4}/gm, '      '));
    (result.mixes as unknown[]).push({ mix: mix.name, usage, perStudyUsd: total(own), naivePerStudyUsd: naive, aiFeesPerStudy: fees });
  });
  fs.writeFileSync(path.join(WORK_DIR, 'cost.json'), JSON.stringify(result, null, 2));
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
