/** Which rule decides a finding, and the rules `autoReleaseThreshold` stands for. */
import { AnalyzerFinding } from '../../shared/analyzer-result';
import { FindingAction, FindingRule, StudyPriority } from '../../shared/finding-rules';

/**
 * Findings at or above this confidence are released without a clinician;
 * one below it holds the study for review. A conservative starting point:
 * tune per analyzer and site, or give finding rules.
 */
export const DEFAULT_AUTO_RELEASE_THRESHOLD = 0.8;

/** A finding no rule matched is held for review: the safe side. */
export const UNMATCHED_FINDING_RULE: FindingRule = { action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.ROUTINE };

/** The rules `autoReleaseThreshold` is shorthand for. */
export function thresholdRules(autoReleaseThreshold: number): FindingRule[] {
  return [
    { match: { confidenceAtLeast: autoReleaseThreshold }, action: FindingAction.RELEASE },
    { action: FindingAction.HOLD_FOR_REVIEW },
  ];
}

const PRIORITY_RANK: Record<StudyPriority, number> = { ROUTINE: 0, URGENT: 1, STAT: 2 };

export function higherPriority(a: StudyPriority, b: StudyPriority): StudyPriority {
  return PRIORITY_RANK[b] > PRIORITY_RANK[a] ? b : a;
}

export function matches(rule: FindingRule, finding: AnalyzerFinding, analyzerName: string): boolean {
  const m = rule.match;
  if (m === undefined) return true;
  const confidence = finding.confidence;
  if (m.labels !== undefined && !m.labels.some((label) => label.toLowerCase() === finding.label.toLowerCase())) return false;
  if (m.code !== undefined && finding.code !== m.code) return false;
  if (m.codeSystem !== undefined && finding.codeSystem !== m.codeSystem) return false;
  if (m.analyzers !== undefined && !m.analyzers.includes(analyzerName)) return false;
  // A confidence that is not a number meets no bound: only rules without one can match it.
  if (m.confidenceAtLeast !== undefined && !(confidence >= m.confidenceAtLeast)) return false;
  if (m.confidenceBelow !== undefined && !(confidence < m.confidenceBelow)) return false;
  return true;
}

export interface FindingDecision {
  readonly action: FindingAction;
  readonly priority: StudyPriority;
  /** Index of the rule that decided, or -1 for the unmatched-finding default. */
  readonly rule: number;
}

/** One finding with what the rules decided for it. */
export interface TriagedFinding extends FindingDecision {
  readonly analyzerName: string;
  readonly finding: AnalyzerFinding;
}

export function decide(rules: readonly FindingRule[], finding: AnalyzerFinding, analyzerName: string): FindingDecision {
  const index = rules.findIndex((rule) => matches(rule, finding, analyzerName));
  const rule = index < 0 ? UNMATCHED_FINDING_RULE : rules[index];
  return { action: rule.action, priority: rule.priority ?? StudyPriority.ROUTINE, rule: index };
}

/** Problems with a rule list, for the construct to refuse at synth time (empty when valid). */
export function ruleProblems(rules: readonly FindingRule[]): string[] {
  const problems: string[] = [];
  const fraction = (v: number | undefined) => v === undefined || (v >= 0 && v <= 1);
  rules.forEach((rule, i) => {
    if (!Object.values(FindingAction).includes(rule.action)) problems.push(`rule ${i}: unknown action`);
    if (rule.priority !== undefined && !Object.values(StudyPriority).includes(rule.priority)) problems.push(`rule ${i}: unknown priority`);
    const m = rule.match ?? {};
    if (!fraction(m.confidenceAtLeast) || !fraction(m.confidenceBelow)) problems.push(`rule ${i}: confidence bounds must be between 0 and 1`);
    if (m.confidenceAtLeast !== undefined && m.confidenceBelow !== undefined && m.confidenceAtLeast >= m.confidenceBelow) {
      problems.push(`rule ${i}: confidenceAtLeast must be below confidenceBelow`);
    }
    if ((m.code === undefined) !== (m.codeSystem === undefined)) problems.push(`rule ${i}: give code and codeSystem together`);
    if (m.labels?.length === 0 || m.analyzers?.length === 0) problems.push(`rule ${i}: an empty list matches nothing; leave it out to match any`);
  });
  return problems;
}
