/**
 * The change summary of a re-analysed study: the findings each version
 * reported (the finding rules' triage, suppressed findings left out) compared
 * with `summarizeVersionChanges`.
 */
import { FindingAction } from '../../shared/finding-rules';
import { TriagedFinding } from '../findings/finding-rules';
import { summarizeVersionChanges, VersionChangeSummary, VersionFinding } from '../findings/version-changes';

/** The findings a version reported (a version without triage reported none). */
export function reportedFindings(triage: readonly TriagedFinding[] | undefined): VersionFinding[] {
  return (triage ?? []).filter((t) => t.action !== FindingAction.SUPPRESS).map((t) => ({ analyzerName: t.analyzerName, finding: t.finding }));
}

export function reanalysisChanges(
  previous: { readonly version: number; readonly triage?: readonly TriagedFinding[] },
  current: { readonly version: number; readonly triage?: readonly TriagedFinding[] },
): VersionChangeSummary {
  return summarizeVersionChanges(
    { version: previous.version, findings: reportedFindings(previous.triage) },
    { version: current.version, findings: reportedFindings(current.triage) },
  );
}
