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
import { changeCounts, failureReasonOf, reanalysisChanges, runResultKey, StudyReanalysisResult } from '../../core/reanalysis';
import { triageKey } from '../../shared/records';
import { PersistedReport } from '../../shared/workflow';
import { getJson, putJson } from '../storage/objects';

export interface RecordStudyDeps {
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
  const result = input.failure !== undefined || input.opened === undefined || input.analysis?.persisted === undefined
    ? failed(studyKey, input.failure?.Error)
    : await reanalysed(deps, input.opened, input.analysis.persisted);
  await putJson(deps.s3, { bucket: deps.reportsBucket, key: runResultKey(input.runId, studyKey) }, result);
  return result;
}

function failed(studyKey: string, errorName: string | undefined): StudyReanalysisResult {
  return { studyKey, status: 'FAILED', reason: failureReasonOf(errorName), ...(errorName === undefined ? {} : { errorName }) };
}

async function reanalysed(deps: RecordStudyDeps, opened: OpenedVersion, persisted: PersistedReport): Promise<StudyReanalysisResult> {
  const { studyKey, previousVersion, version } = opened;
  const triage = (v: number) => getJson<TriagedFinding[]>(deps.s3, { bucket: deps.derivedBucket, key: triageKey(studyKey, v) });
  const summary = reanalysisChanges({ version: previousVersion, triage: await triage(previousVersion) }, { version, triage: await triage(version) });
  const key = changesKey(studyKey, version);
  await putJson(deps.s3, { bucket: deps.reportsBucket, key }, { studyKey, ...summary });
  const reportStatus = await reportStatusOf(deps, persisted);
  return { studyKey, status: 'SUCCEEDED', previousVersion, version, reportStatus, ...changeCounts(summary), changesKey: key };
}

/** The DiagnosticReport.status the new version's report was issued with. */
async function reportStatusOf(deps: RecordStudyDeps, persisted: PersistedReport): Promise<string> {
  const report = await getJson<{ status?: string }>(deps.s3, { bucket: deps.reportsBucket, key: persisted.fhirKey });
  return report?.status ?? 'unknown';
}
