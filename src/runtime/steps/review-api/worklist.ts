/**
 * GET /worklist: the studies awaiting a clinician (IN_REVIEW on the status
 * index), overdue first, then by priority (STAT, URGENT, ROUTINE), then by
 * deadline. Keys, priority and times only.
 */
import { isOverdue } from './held-studies';
import { StudyPriority } from '../../../shared/finding-rules';
import { StudyStatus } from '../../../shared/records';
import { TableContext } from '../../storage/context';
import { listStudiesByStatus } from '../../storage/studies';

/** Most entries in one response; `truncated` says when more are waiting. */
export const MAX_WORKLIST_ENTRIES = 500;

export interface WorklistEntry {
  readonly studyKey: string;
  readonly version: number;
  readonly priority: string;
  readonly overdue: boolean;
  readonly reviewDeadline?: string;
  readonly modality?: string;
  readonly instanceCount?: number;
  readonly updatedAt: string;
}

export interface Worklist {
  readonly studies: WorklistEntry[];
  readonly total: number;
  readonly truncated: boolean;
}

export interface WorklistDeps {
  readonly table: TableContext;
  readonly clock?: () => Date;
}

const RANK: Record<string, number> = { [StudyPriority.STAT]: 0, [StudyPriority.URGENT]: 1, [StudyPriority.ROUTINE]: 2 };

/** Overdue first, then STAT > URGENT > ROUTINE, then the earliest deadline (none last), then the key. */
export function worklistOrder(a: WorklistEntry, b: WorklistEntry): number {
  return Number(b.overdue) - Number(a.overdue)
    || (RANK[a.priority] ?? 3) - (RANK[b.priority] ?? 3)
    || (a.reviewDeadline ?? '\uffff').localeCompare(b.reviewDeadline ?? '\uffff')
    || a.studyKey.localeCompare(b.studyKey);
}

export async function listWorklist(deps: WorklistDeps): Promise<Worklist> {
  const now = (deps.clock ?? (() => new Date()))();
  const held = await listStudiesByStatus(deps.table, StudyStatus.IN_REVIEW);
  const entries = held.map((meta): WorklistEntry => ({
    studyKey: meta.studyKey,
    version: meta.version,
    priority: meta.priority ?? StudyPriority.ROUTINE,
    overdue: isOverdue(meta, now),
    reviewDeadline: meta.reviewDeadline,
    modality: meta.modality,
    instanceCount: meta.instanceCount,
    updatedAt: meta.updatedAt,
  })).sort(worklistOrder);
  return { studies: entries.slice(0, MAX_WORKLIST_ENTRIES), total: entries.length, truncated: entries.length > MAX_WORKLIST_ENTRIES };
}
