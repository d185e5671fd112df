/**
 * Stores a study version's analyses and reports, then moves the study on:
 * COMPLETED, or IN_REVIEW while a required review has no decision yet.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { assertWorkflowInput, InvalidStepInputError, StudyStateError } from './workflow-input';
import { buildDiagnosticReport, buildHtmlReport, ReportInput } from '../../core/reports';
import { StudyStatus, studyPrefix } from '../../shared/records';
import { PersistedReport, WorkflowStateWithResults } from '../../shared/workflow';
import { SafeLog } from '../lambda/logger';
import { TableContext } from '../storage/context';
import { putObjects } from '../storage/objects';
import { putAnalysisResults, putReportRecord } from '../storage/results';
import { getStudy, transitionStudy } from '../storage/studies';

export interface PersistResultsDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly reportsBucket: string;
  readonly log: SafeLog;
  readonly clock?: () => Date;
}

export function reportKeys(studyKey: string, version: number): { fhirKey: string; htmlKey: string } {
  const prefix = `${studyPrefix(studyKey)}reports/v${version}/`;
  return { fhirKey: `${prefix}diagnostic-report.json`, htmlKey: `${prefix}report.html` };
}

export async function persistResults(deps: PersistResultsDeps, state: WorkflowStateWithResults): Promise<PersistedReport> {
  assertWorkflowInput(state);
  if (!Array.isArray(state.results) || state.aggregate === undefined) {
    throw new InvalidStepInputError('results and aggregate are required');
  }
  const { studyKey, version, aggregate } = state;
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const decision = state.review?.decision;
  const released = !aggregate.reviewRequired || decision === 'APPROVED';
  // A review that timed out leaves the study on the IN_REVIEW worklist with a preliminary report.
  const awaitingReview = aggregate.reviewRequired && (decision === undefined || decision === 'TIMED_OUT');
  const targetStatus = awaitingReview ? StudyStatus.IN_REVIEW : StudyStatus.COMPLETED;
  const reportInput: ReportInput = {
    studyKey,
    version,
    results: state.results,
    aggregate,
    status: released ? 'final' : 'preliminary',
    issuedAt: now,
    reviewDecision: decision,
  };
  const keys = reportKeys(studyKey, version);

  await putAnalysisResults(deps.table, studyKey, version, state.results, now);
  await putObjects(deps.s3, deps.reportsBucket, [
    { key: keys.fhirKey, body: JSON.stringify(buildDiagnosticReport(reportInput), null, 2), contentType: 'application/fhir+json' },
    { key: keys.htmlKey, body: buildHtmlReport(reportInput), contentType: 'text/html; charset=utf-8' },
  ]);
  await putReportRecord(deps.table, {
    studyKey,
    version,
    ...keys,
    reportStatus: reportInput.status,
    findingCount: aggregate.findingCount,
    reviewRequired: aggregate.reviewRequired,
    reviewDecision: decision,
    reviewer: state.review?.reviewer,
    createdAt: now,
  });

  const moved = await transitionStudy(deps.table, {
    studyKey,
    version,
    from: [StudyStatus.ANALYZING, StudyStatus.IN_REVIEW],
    to: targetStatus,
    now,
    attributes: decision === undefined ? undefined : { reviewDecision: decision },
  });
  if (!moved) {
    const meta = await getStudy(deps.table, studyKey);
    if (meta !== undefined && meta.version > version) {
      // A newer version opened meanwhile; its own run will move the status.
      deps.log.warn('Results stored for a superseded study version', { studyKey, version });
    } else if (meta?.status !== targetStatus || meta.version !== version) {
      throw new StudyStateError('Study version is not being analysed');
    }
  }
  return { reportVersion: version, ...keys, status: targetStatus };
}
