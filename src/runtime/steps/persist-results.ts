/**
 * Stores a study version's analyses and a report revision, then moves the study
 * on: COMPLETED once released or decided; IN_REVIEW (marked overdue) when the
 * review deadline passed with a preliminary report. Revision 1 is the
 * workflow's; a decision after the deadline writes revision 2. A report that
 * follows a final one for the same study is `amended`.
 */
import { ReportWriterDeps, writeReportRevision } from './report-writer';
import { loadAnalyzerResults, loadTriage } from './stored-results';
import { assertWorkflowInput, InvalidStepInputError, StudyStateError } from './workflow-input';
import { applyAmendments, TriagedFinding } from '../../core/findings';
import { ReportInput, ReportStatus } from '../../core/reports';
import { AnalyzerResult, AnalyzerStatus, S3ObjectReference, StudyContext } from '../../shared/analyzer-result';
import { FindingAction } from '../../shared/finding-rules';
import { manifestKey, StudyStatus } from '../../shared/records';
import { ReviewAnswer, ReviewedFinding } from '../../shared/reviews';
import { PersistedReport, WorkflowStateWithResults } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { includesFinalReport, putAnalysisResults, putReportRecord, reportsBefore } from '../storage/results';
import { getReview, isUndelivered, markDecisionDelivered, markReviewOverdue } from '../storage/reviews';
import { getStudy, transitionStudy } from '../storage/studies';

export { bundleKey, reportKeys, structuredReportKey } from './report-writer';

export interface PersistResultsDeps extends ReportWriterDeps {
  readonly table: TableContext;
  /** Bucket of the study manifests, for a caller without the workflow state (a late decision). @default - no manifest read */
  readonly derivedBucket?: string;
  readonly clock?: () => Date;
}

export interface PersistOptions {
  /** @default 1 (the workflow's report of this version) */
  readonly revision?: number;
}

/** What a report revision is written from: the version's manifest, named by the workflow state or found by its key. */
function manifestOf(deps: PersistResultsDeps, state: PersistInput): S3ObjectReference | undefined {
  if (state.study?.manifest !== undefined) return state.study.manifest;
  return deps.derivedBucket === undefined ? undefined : { bucket: deps.derivedBucket, key: manifestKey(state.studyKey, state.version) };
}

/** The analyzers' results as the report shows them: suppressed findings out, a reviewer's amendments in. */
function reviewedResults(
  results: readonly AnalyzerResult[],
  triage: readonly TriagedFinding[] | undefined,
  reviewed?: readonly ReviewedFinding[],
): AnalyzerResult[] {
  const findingsOf = (name: string) => reviewed !== undefined
    ? reviewed.filter((f) => f.analyzerName === name).map(({ analyzerName: _name, ...finding }) => finding)
    : triage?.filter((t) => t.analyzerName === name && t.action !== FindingAction.SUPPRESS).map((t) => t.finding);
  const out = results.map((result) => ({ ...result, findings: findingsOf(result.analyzerName) ?? result.findings }));
  const added = reviewed?.filter((f) => !results.some((r) => r.analyzerName === f.analyzerName)) ?? [];
  if (added.length > 0) {
    out.push({
      schemaVersion: results[0]?.schemaVersion ?? '2.0',
      analyzerName: added[0].analyzerName,
      modelId: 'clinician-review',
      modelVersion: '1',
      status: AnalyzerStatus.SUCCEEDED,
      findings: added.map(({ analyzerName: _name, ...finding }) => finding),
      durationMs: 0,
    });
  }
  return out;
}

/**
 * What persisting needs of the workflow state (a late decision rebuilds it from the review record,
 * without `study`: its manifest is then found under `deps.derivedBucket`).
 */
export type PersistInput = Pick<WorkflowStateWithResults, 'studyKey' | 'version' | 'results' | 'aggregate' | 'review'>
  & { readonly study?: Pick<StudyContext, 'manifest'> };

export async function persistResults(deps: PersistResultsDeps, state: PersistInput, options: PersistOptions = {}): Promise<PersistedReport> {
  assertWorkflowInput(state);
  if (!Array.isArray(state.results) || state.aggregate === undefined) {
    throw new InvalidStepInputError('results and aggregate are required');
  }
  const { studyKey, version, aggregate } = state;
  if (state.review?.decision === 'TIMED_OUT') {
    const recorded = await decisionAtDeadline(deps.table, studyKey, version);
    if (recorded !== undefined) {
      // A decision taken before the deadline whose resume failed: the workflow applies it now.
      return persistResults(deps, { ...state, review: recorded }, options);
    }
  }
  const revision = options.revision ?? 1;
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const decision = state.review?.decision;
  const timedOut = decision === 'TIMED_OUT';
  const released = !aggregate.reviewRequired || decision === 'APPROVED' || decision === 'AMENDED';
  // Past the deadline the study stays on the IN_REVIEW worklist (overdue) with a preliminary report.
  const awaitingReview = aggregate.reviewRequired && (decision === undefined || timedOut);
  const targetStatus = awaitingReview ? StudyStatus.IN_REVIEW : StudyStatus.COMPLETED;

  const triage = await loadTriage(deps.s3, aggregate);
  const review = decision === 'AMENDED' ? await getReview(deps.table, studyKey, version) : undefined;
  if (decision === 'AMENDED' && (review === undefined || triage === undefined)) {
    throw new StudyStateError('The amended review or its triage is missing');
  }
  const reviewed = review === undefined ? undefined : applyAmendments(triage!, review.amendments ?? [], state.review?.reviewer ?? 'unknown');
  const earlier = await reportsBefore(deps.table, studyKey, { version, revision });
  const status: ReportStatus = !released ? 'preliminary' : includesFinalReport(earlier) ? 'amended' : 'final';
  // The newest earlier SR of the study is the one this revision's SR replaces.
  const previousSr = earlier.filter((r) => r.srSopInstanceUid !== undefined).at(-1);
  const reportInput: ReportInput = {
    studyKey,
    version,
    revision,
    results: reviewedResults(await loadAnalyzerResults(deps.s3, state.results), triage, reviewed),
    aggregate,
    status,
    issuedAt: now,
    reviewDecision: decision,
    reviewer: decision === undefined || timedOut ? undefined : state.review?.reviewer,
    decidedAt: decision === undefined || timedOut ? undefined : state.review?.decidedAt,
  };

  await putAnalysisResults(deps.table, studyKey, version, state.results, now);
  const written = await writeReportRevision(deps, reportInput, {
    manifest: manifestOf(deps, state),
    previousSr: previousSr === undefined ? undefined : { version: previousSr.version, sopInstanceUid: previousSr.srSopInstanceUid! },
  });
  const keys = { fhirKey: written.fhirKey, htmlKey: written.htmlKey };
  await putReportRecord(deps.table, {
    studyKey,
    version,
    revision,
    ...written,
    reportStatus: status,
    findingCount: reportInput.results.reduce((n, r) => n + r.findings.length, 0),
    reviewRequired: aggregate.reviewRequired,
    reviewDecision: decision,
    reviewer: state.review?.reviewer,
    createdAt: now,
  });
  // The report carries the decision: whichever path brought it, it is delivered (and the token goes).
  if (decision !== undefined && !timedOut) await markDecisionDelivered(deps.table, studyKey, version);

  const moved = await transitionStudy(deps.table, {
    studyKey,
    version,
    from: [StudyStatus.ANALYZING, StudyStatus.IN_REVIEW],
    to: targetStatus,
    now,
    attributes: {
      reportRevision: revision,
      ...(decision === undefined || timedOut ? {} : { reviewDecision: decision }),
      ...(aggregate.reviewRequired ? { reviewOverdue: timedOut, priority: aggregate.priority } : {}),
    },
  });
  if (!moved) {
    const meta = await getStudy(deps.table, studyKey);
    if (meta !== undefined && meta.version > version) {
      // A newer version opened meanwhile; its own run will move the status.
      deps.log.warn('Results stored for a superseded study version', { studyKey, version });
    } else if (timedOut && meta?.version === version && meta.status === StudyStatus.COMPLETED) {
      // A late decision's revision (already announced) overtook this preliminary report.
      return { reportVersion: revision, ...keys, status: meta.status, overtaken: true };
    } else if (meta?.status !== targetStatus || meta.version !== version) {
      throw new StudyStateError('Study version is not being analysed');
    }
  }
  return { reportVersion: revision, ...keys, status: targetStatus, ...(decision === undefined || timedOut ? {} : { reviewDecision: decision }) };
}

/**
 * At the deadline: marks the review OVERDUE and returns nothing, or returns the
 * decision a clinician took before the deadline that never reached the workflow.
 */
async function decisionAtDeadline(table: TableContext, studyKey: string, version: number): Promise<ReviewAnswer | undefined> {
  if (await markReviewOverdue(table, studyKey, version)) return undefined;
  const review = await getReview(table, studyKey, version);
  if (review === undefined || !isUndelivered(review) || review.decision === undefined) return undefined;
  return { decision: review.decision, reviewer: review.reviewer ?? 'unknown', decidedAt: review.decidedAt ?? '' };
}
