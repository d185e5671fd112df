/**
 * A reviewer's amendments applied to the findings of a study version: what the
 * final report shows, and the difference from what the analyzers said (for the
 * audit record). Findings are named by their index in the stored triage.
 */
import { TriagedFinding } from './finding-rules';
import { FindingAction } from '../../shared/finding-rules';
import { FindingAmendment, ReviewedFinding } from '../../shared/reviews';

/** Analyzer name under which a clinician's added findings are reported. */
export const CLINICIAN_ANALYZER = 'clinician';

const MAX_REASON = 500;
const MAX_LABEL = 256;
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;

/** Problems with a list of amendments against the triage they refer to (empty when valid). */
export function amendmentProblems(
  amendments: readonly FindingAmendment[],
  triage: readonly TriagedFinding[],
  imageRefs: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const touched = new Set<number>();
  amendments.forEach((a, i) => {
    const where = `amendments[${i}]`;
    if (typeof a?.reason !== 'string' || a.reason.trim() === '' || a.reason.length > MAX_REASON || !PRINTABLE.test(a.reason)) {
      problems.push(`${where}.reason must be 1-${MAX_REASON} printable characters`);
    }
    if (a?.type === 'REMOVE' || a?.type === 'RELABEL') {
      const target = Number.isInteger(a.findingIndex) ? triage[a.findingIndex] : undefined;
      const reported = target !== undefined && target.action !== FindingAction.SUPPRESS;
      if (!reported) problems.push(`${where}.findingIndex does not name a reported finding`);
      else if (touched.has(a.findingIndex)) problems.push(`${where} changes a finding another amendment already changes`);
      touched.add(a.findingIndex);
    }
    if (a?.type === 'RELABEL' || a?.type === 'ADD') {
      if (typeof a.label !== 'string' || a.label.trim() === '' || a.label.length > MAX_LABEL || !PRINTABLE.test(a.label)) {
        problems.push(`${where}.label must be 1-${MAX_LABEL} printable characters`);
      }
      if ((a.code === undefined) !== (a.codeSystem === undefined)) problems.push(`${where} needs code and codeSystem together`);
    }
    if (a?.type === 'ADD' && !imageRefs.has(a.imageRef)) problems.push(`${where}.imageRef does not name an image of the study`);
    if (!['REMOVE', 'RELABEL', 'ADD'].includes(a?.type)) problems.push(`${where}.type must be REMOVE, RELABEL or ADD`);
  });
  return problems;
}

/** The reported findings after the amendments (suppressed findings never appear). */
export function applyAmendments(triage: readonly TriagedFinding[], amendments: readonly FindingAmendment[], reviewer: string): ReviewedFinding[] {
  const byIndex = new Map(amendments.filter((a) => a.type !== 'ADD').map((a) => [(a as { findingIndex: number }).findingIndex, a]));
  const kept = triage.flatMap((t, index): ReviewedFinding[] => {
    if (t.action === FindingAction.SUPPRESS) return [];
    const amendment = byIndex.get(index);
    if (amendment?.type === 'REMOVE') return [];
    if (amendment?.type === 'RELABEL') {
      const { code: _code, codeSystem: _system, ...rest } = t.finding;
      return [{
        ...rest,
        label: amendment.label.trim(),
        ...(amendment.code === undefined ? {} : { code: amendment.code, codeSystem: amendment.codeSystem }),
        analyzerName: t.analyzerName,
        amendedBy: reviewer,
      }];
    }
    return [{ ...t.finding, analyzerName: t.analyzerName }];
  });
  const added = amendments.flatMap((a): ReviewedFinding[] => (a.type !== 'ADD' ? [] : [{
    label: a.label.trim(),
    confidence: 1,
    imageRef: a.imageRef,
    ...(a.code === undefined ? {} : { code: a.code, codeSystem: a.codeSystem }),
    analyzerName: CLINICIAN_ANALYZER,
    amendedBy: reviewer,
  }]));
  return [...kept, ...added];
}

/**
 * What a decision changed, for the audit record: the labels of the findings it removed or
 * relabelled (before) and of those it relabelled or added (after), with the reported finding
 * counts either side. Bounded by the amendments, not by the study: a 10,000-image study's
 * approval is a small record (a DynamoDB item holds 400 KB at most).
 */
export function amendmentDiff(
  triage: readonly TriagedFinding[],
  amendments: readonly FindingAmendment[],
  amended: readonly ReviewedFinding[],
): { before: string[]; after: string[]; findingsBefore: number; findingsAfter: number } {
  const before: string[] = [];
  const after: string[] = [];
  for (const amendment of amendments) {
    if (amendment.type !== 'ADD') before.push(triage[amendment.findingIndex].finding.label);
    if (amendment.type !== 'REMOVE') after.push(amendment.label.trim());
  }
  return { before, after, findingsBefore: triage.filter((t) => t.action !== FindingAction.SUPPRESS).length, findingsAfter: amended.length };
}
