/**
 * Where a run keeps its records in the reports bucket: the selected studies
 * (the Distributed Map's item list), one result per study, and the summary.
 */

export const REANALYSIS_RUNS_PREFIX = 'reanalysis-runs/';

export function runPrefix(runId: string): string {
  return `${REANALYSIS_RUNS_PREFIX}${runId}/`;
}
/** JSON array of `{ studyKey }`, read by the Distributed Map. */
export function runItemsKey(runId: string): string {
  return `${runPrefix(runId)}studies.json`;
}
export function runResultsPrefix(runId: string): string {
  return `${runPrefix(runId)}results/`;
}
/** One study's `StudyReanalysisResult`; a retried step rewrites the same object. */
export function runResultKey(runId: string, studyKey: string): string {
  return `${runResultsPrefix(runId)}${studyKey}.json`;
}
export function runSummaryKey(runId: string): string {
  return `${runPrefix(runId)}summary.json`;
}
