/**
 * Last step of each study in a run: its result, written where the run's
 * summary counts it. A re-analysed study also gets its change summary (what
 * the new version's findings add, remove and move compared with the previous
 * version), stored beside the new version's first report.
 */
import * as path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import { reportKeys } from './persist-results';
import { OpenedVersion } from './reanalysis-open';
import { InvalidStepInputError } from './workflow-input';
import { TriagedFinding } from '../../core/findings';
import {
  changeCounts,
  failureReasonOf,
  finishedReanalysisVersion,
  isExecutionAlreadyExists,
  reanalysisChanges,
  runResultKey,
  StudyReanalysisResult,
} from '../../core/reanalysis';
import { triageKey } from '../../shared/records';
import { PersistedReport } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { getJson, putJson } from '../storage/objects';
import { getStudy } from '../storage/studies';

export interface RecordStudyDeps {
  /** Read (GetItem) when the analysis step found its execution already ended. */
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly derivedBucket: string;
  readonly reportsBucket: string;
}

export interface RecordStudyInput {
  readonly runId: string;
  readonly study: { readonly studyKey: string };
  /** Set once the version was opened. */
  readonly opened?: OpenedVersion;
  /** The analysis execution's report (set when it succeeded). */
  readonly analysis?: { readonly persisted?: PersistedReport };
  /** Set by the Catch of the open or analysis step. */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
}

/** Where the change summary of a re-analysed version goes (beside its first report). */
export function changesKey(studyKey: string, version: number): string {
  return path.posix.join(path.posix.dirname(reportKeys(studyKey, version).fhirKey), 'changes.json');
}

export async function recordStudyResult(deps: RecordStudyDeps, input: RecordStudyInput): Promise<StudyReanalysisResult> {
  const studyKey = input?.study?.studyKey;
  if (typeof input?.runId !== 'string' || typeof studyKey !== 'string') throw new InvalidStepInputError('runId and study.studyKey are required');
  const result = await resultOf(deps, input, studyKey);
  await putJson(deps.s3, { bucket: deps.reportsBucket, key: runResultKey(input.runId, studyKey) }, result);
  return result;
}

async function resultOf(deps: RecordStudyDeps, input: RecordStudyInput, studyKey: string): Promise<StudyReanalysisResult> {
  if (input.failure === undefined && input.opened !== undefined && input.analysis?.persisted !== undefined) {
    return reanalysed(deps, input.opened, input.analysis.persisted.fhirKey);
  }
  const finished = isExecutionAlreadyExists(input.failure?.Error) ? await finishedBefore(deps, input.runId, studyKey) : undefined;
  return finished === undefined ? failed(studyKey, input.failure?.Error) : reanalysed(deps, finished.opened, finished.fhirKey);
}

function failed(studyKey: string, errorName: string | undefined): StudyReanalysisResult {
  return { studyKey, status: 'FAILED', reason: failureReasonOf(errorName), ...(errorName === undefined ? {} : { errorName }) };
}

/**
 * A retried or re-driven item of this run whose version's execution had already
 * run: the version this run opened, if it finished, with its latest report.
 */
async function finishedBefore(
  deps: RecordStudyDeps, runId: string, studyKey: string,
): Promise<{ opened: Pick<OpenedVersion, 'studyKey' | 'previousVersion' | 'version'>; fhirKey: string } | undefined> {
  const meta = await getStudy(deps.table, studyKey);
  const finished = meta === undefined ? undefined : finishedReanalysisVersion(meta, runId);
  if (meta === undefined || finished === undefined) return undefined;
  return { opened: { studyKey, ...finished }, fhirKey: reportKeys(studyKey, finished.version, meta.reportRevision ?? 1).fhirKey };
}

async function reanalysed(
  deps: RecordStudyDeps, opened: Pick<OpenedVersion, 'studyKey' | 'previousVersion' | 'version'>, fhirKey: string,
): Promise<StudyReanalysisResult> {
  const { studyKey, previousVersion, version } = opened;
  const triage = (v: number) => getJson<TriagedFinding[]>(deps.s3, { bucket: deps.derivedBucket, key: triageKey(studyKey, v) });
  const summary = reanalysisChanges({ version: previousVersion, triage: await triage(previousVersion) }, { version, triage: await triage(version) });
  const key = changesKey(studyKey, version);
  await putJson(deps.s3, { bucket: deps.reportsBucket, key }, { studyKey, ...summary });
  const reportStatus = await reportStatusOf(deps, fhirKey);
  return { studyKey, status: 'SUCCEEDED', previousVersion, version, reportStatus, ...changeCounts(summary), changesKey: key };
}

/** The DiagnosticReport.status the new version's report was issued with. */
async function reportStatusOf(deps: RecordStudyDeps, fhirKey: string): Promise<string> {
  const report = await getJson<{ status?: string }>(deps.s3, { bucket: deps.reportsBucket, key: fhirKey });
  return report?.status ?? 'unknown';
}
