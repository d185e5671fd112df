/**
 * Scheduled sweep: RECEIVING studies whose quiet period has passed become READY
 * and get their execution; READY studies whose start was lost get it again;
 * ANALYZING studies whose execution ended are marked FAILED.
 * Idempotent: conditional status moves, deterministic execution names.
 */
import { failLostExecutions } from './lost-executions';
import { MarkFailedDeps } from './mark-failed';
import { ExecutionStarter, readyAndStart, startStudyExecution } from './start-analysis';
import { checkStudyReadiness } from '../../core/study-readiness';
import { StudyStatus } from '../../shared/records';
import { SafeLog } from '../lambda/logger';
import { PipelineMetrics } from '../lambda/metrics';
import { TableContext } from '../storage/context';
import { countInstances } from '../storage/instances';
import { listStudiesByStatus } from '../storage/studies';

export interface SweepDeps {
  readonly table: TableContext;
  readonly starter?: ExecutionStarter;
  readonly quietPeriodSeconds: number;
  /** READY studies untouched this long get their start retried. @default 300 */
  readonly readyGraceSeconds?: number;
  /** Where failures of lost executions are announced; without it ANALYZING studies are not checked. */
  readonly failures?: Pick<MarkFailedDeps, 'events' | 'messages'>;
  /** ANALYZING studies untouched this long have their execution looked up. @default 600 */
  readonly analyzingGraceSeconds?: number;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Counts the studies it marks FAILED (see markFailed). */
  readonly metrics?: PipelineMetrics;
}

export interface SweepResult {
  readonly checked: number;
  readonly readied: number;
  readonly restarted: number;
  /** ANALYZING studies found without a running execution and marked FAILED. */
  readonly failed: number;
}

export async function sweepStudies(deps: SweepDeps): Promise<SweepResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const nowIso = now.toISOString();
  const graceMs = (deps.readyGraceSeconds ?? 300) * 1000;

  // READY first, so studies readied below are not restarted in the same sweep.
  let restarted = 0;
  if (deps.starter !== undefined) {
    for (const meta of await listStudiesByStatus(deps.table, StudyStatus.READY)) {
      if (now.getTime() - Date.parse(meta.updatedAt) >= graceMs
        && await startStudyExecution(deps.starter, { studyKey: meta.studyKey, version: meta.version })) {
        restarted += 1;
        deps.log.warn('Started a lost execution', { studyKey: meta.studyKey, version: meta.version });
      }
    }
  }

  const receiving = await listStudiesByStatus(deps.table, StudyStatus.RECEIVING);
  let readied = 0;
  for (const meta of receiving) {
    // The running count on the study; studies recorded before it existed are counted once here.
    const instanceCount = meta.instanceCount ?? await countInstances(deps.table, meta.studyKey);
    const readiness = checkStudyReadiness(meta, instanceCount, now, deps.quietPeriodSeconds);
    if (readiness.ready && await readyAndStart(deps.table, deps.starter, meta, nowIso)) {
      readied += 1;
      deps.log.info('Study ready', { studyKey: meta.studyKey, version: meta.version, instanceCount, readiness: readiness.reason });
    }
  }
  const failed = deps.starter !== undefined && deps.failures !== undefined
    ? await failLostExecutions({ ...deps, ...deps.failures, starter: deps.starter }, now)
    : 0;
  return { checked: receiving.length, readied, restarted, failed };
}
