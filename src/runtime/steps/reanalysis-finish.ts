/**
 * Last step of a run: every study's result counted into the run's summary
 * (stored in the reports bucket, failures listed with their reason), and
 * `Reanalysis Completed` with the counts only.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidStepInputError } from './workflow-input';
import { ReanalysisFailure, ReanalysisRunSummary, runResultsPrefix, runSummaryKey, StudyReanalysisResult, summarizeRun } from '../../core/reanalysis';
import { DetailType } from '../../shared/events';
import { EventPublisher, publishEvent } from '../messaging/publish';
import { getJson, listObjects, putJson } from '../storage/objects';

export interface FinishRunDeps {
  readonly s3: S3Client;
  readonly reportsBucket: string;
  readonly events: EventPublisher;
  /** Results read at once. @default 32 */
  readonly readConcurrency?: number;
}

export interface FinishRunInput {
  readonly runId: string;
  readonly analyzers: readonly string[];
  readonly studyCount: number;
}

/** More results than a run can select (MAX_LISTED_STUDIES or a table's worth): a listing this long is a fault. */
const MAX_RESULTS = 1_000_000;

/** What the step returns to the state: the summary without its list of failures (which may be long). */
export type RunCounts = Omit<ReanalysisRunSummary, 'failures'> & { readonly summaryKey: string };

export async function finishRun(deps: FinishRunDeps, input: FinishRunInput): Promise<RunCounts> {
  if (typeof input?.runId !== 'string' || !Array.isArray(input.analyzers) || !Number.isInteger(input.studyCount)) {
    throw new InvalidStepInputError('runId, analyzers and studyCount are required');
  }
  const { objects } = await listObjects(deps.s3, { bucket: deps.reportsBucket, prefix: runResultsPrefix(input.runId) }, MAX_RESULTS);
  const results: StudyReanalysisResult[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < objects.length; i = next++) {
      const result = await getJson<StudyReanalysisResult>(deps.s3, { bucket: deps.reportsBucket, key: objects[i].key });
      if (result !== undefined) results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.readConcurrency ?? 32, objects.length) }, worker));
  const summary = summarizeRun(input, results.map((r) => (r.status === 'FAILED' ? r : { studyKey: r.studyKey, status: r.status })));
  const summaryKey = runSummaryKey(input.runId);
  await putJson(deps.s3, { bucket: deps.reportsBucket, key: summaryKey }, summary);
  await publishEvent(deps.events, DetailType.REANALYSIS_COMPLETED, {
    runId: summary.runId,
    analyzers: summary.analyzers,
    studyCount: summary.studyCount,
    succeeded: summary.succeeded,
    failed: summary.failed,
    notFound: summary.failedByReason[ReanalysisFailure.NOT_FOUND],
    busy: summary.failedByReason[ReanalysisFailure.BUSY],
    analysisFailed: summary.failedByReason[ReanalysisFailure.ANALYSIS_FAILED],
    unaccounted: summary.unaccounted,
    summaryKey,
  });
  const { failures: _failures, ...counts } = summary;
  return { ...counts, summaryKey };
}
