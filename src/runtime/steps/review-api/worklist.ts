/**
 * GET /worklist: the studies awaiting a clinician, by priority (STAT, URGENT,
 * ROUTINE), then by deadline (the longest waiting first; overdue ones lead
 * their priority). The order is the review queue index's own: DynamoDB returns
 * the first page already sorted, nothing is read beyond it. Keys, priority and times only.
 */
import { isOverdue } from './held-studies';
import { StudyPriority } from '../../../shared/finding-rules';
import { TableContext } from '../../storage/context';
import { countReviewQueue, listReviewQueue } from '../../storage/studies';

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

export async function listWorklist(deps: WorklistDeps): Promise<Worklist> {
  const now = (deps.clock ?? (() => new Date()))();
  const { studies, truncated } = await listReviewQueue(deps.table, MAX_WORKLIST_ENTRIES);
  const entries = studies.map((meta): WorklistEntry => ({
    studyKey: meta.studyKey,
    version: meta.version,
    priority: meta.priority ?? StudyPriority.ROUTINE,
    overdue: isOverdue(meta, now),
    reviewDeadline: meta.reviewDeadline,
    modality: meta.modality,
    instanceCount: meta.instanceCount,
    updatedAt: meta.updatedAt,
  }));
  return { studies: entries, total: truncated ? await countReviewQueue(deps.table) : entries.length, truncated };
}
