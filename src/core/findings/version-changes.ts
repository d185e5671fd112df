/**
 * What changed between two versions of a study's findings (a re-analysis):
 * findings added, removed, and those whose confidence moved. A finding is the
 * same across versions when analyzer, label, code and image agree; the
 * summary names only de-identified image references, never PHI.
 */
import { AnalyzerFinding } from '../../shared/analyzer-result';

/** A finding as a version stores it: the analyzer that reported it and the finding. */
export interface VersionFinding {
  readonly analyzerName: string;
  readonly finding: AnalyzerFinding;
}

/** One finding named in a change summary. */
export interface ChangedFinding {
  readonly analyzerName: string;
  readonly label: string;
  readonly code?: string;
  readonly imageRef: string;
  readonly confidence: number;
}

export interface ConfidenceMove {
  readonly analyzerName: string;
  readonly label: string;
  readonly code?: string;
  readonly imageRef: string;
  readonly previousConfidence: number;
  readonly confidence: number;
}

export interface VersionChangeSummary {
  readonly previousVersion: number;
  readonly version: number;
  readonly added: ChangedFinding[];
  readonly removed: ChangedFinding[];
  readonly confidenceMoved: ConfidenceMove[];
  /** Findings in both versions with confidence within the tolerance. */
  readonly unchangedCount: number;
}

/** Confidence differences below this are rounding, not a change. */
export const DEFAULT_CONFIDENCE_TOLERANCE = 0.01;

const identity = (f: VersionFinding) => JSON.stringify([f.analyzerName, f.finding.label, f.finding.code ?? '', f.finding.imageRef]);

const named = (f: VersionFinding): ChangedFinding => ({
  analyzerName: f.analyzerName,
  label: f.finding.label,
  ...(f.finding.code === undefined ? {} : { code: f.finding.code }),
  imageRef: f.finding.imageRef,
  confidence: f.finding.confidence,
});

/** Groups findings by identity; repeats of one identity pair up in order. */
function byIdentity(findings: readonly VersionFinding[]): Map<string, VersionFinding[]> {
  const groups = new Map<string, VersionFinding[]>();
  for (const f of findings) groups.set(identity(f), [...groups.get(identity(f)) ?? [], f]);
  return groups;
}

/**
 * The change summary from `previous` (version `previousVersion`) to `current`
 * (version `version`); a finding appearing more often in one version than the
 * other counts the extra occurrences as added or removed.
 */
export function summarizeVersionChanges(
  previous: { readonly version: number; readonly findings: readonly VersionFinding[] },
  current: { readonly version: number; readonly findings: readonly VersionFinding[] },
  tolerance = DEFAULT_CONFIDENCE_TOLERANCE,
): VersionChangeSummary {
  const before = byIdentity(previous.findings);
  const added: ChangedFinding[] = [];
  const confidenceMoved: ConfidenceMove[] = [];
  let unchangedCount = 0;
  for (const [key, group] of byIdentity(current.findings)) {
    const earlier = before.get(key) ?? [];
    group.forEach((f, i) => {
      const old = earlier[i];
      if (old === undefined) return added.push(named(f));
      if (Math.abs(f.finding.confidence - old.finding.confidence) < tolerance) return unchangedCount++;
      const { confidence, ...rest } = named(f);
      return confidenceMoved.push({ ...rest, previousConfidence: old.finding.confidence, confidence });
    });
    before.set(key, earlier.slice(group.length));
  }
  const removed = [...before.values()].flat().map(named);
  return { previousVersion: previous.version, version: current.version, added, removed, confidenceMoved, unchangedCount };
}
