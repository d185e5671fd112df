import { amendmentDiff, applyAmendments, TriagedFinding } from '../../../src/core/findings';
import { FindingAction, StudyPriority } from '../../../src/shared/finding-rules';
import { FindingAmendment } from '../../../src/shared/reviews';

const triaged = (label: string, action = FindingAction.HOLD_FOR_REVIEW): TriagedFinding => ({
  analyzerName: 'image-quality', action, priority: StudyPriority.ROUTINE, rule: 0, finding: { label, confidence: 0.5, imageRef: 'img' },
});

describe('the audit diff of a decision', () => {
  test('names only what the amendments changed, with the reported counts either side', () => {
    const triage = [triaged('Nodule'), triaged('Effusion'), triaged('Noise', FindingAction.SUPPRESS)];
    const amendments: FindingAmendment[] = [
      { type: 'REMOVE', findingIndex: 0, reason: 'vessel' },
      { type: 'RELABEL', findingIndex: 1, label: ' Right pleural effusion ', reason: 'specific' },
      { type: 'ADD', label: 'Rib fracture', imageRef: 'img', reason: 'missed' },
    ];
    expect(amendmentDiff(triage, amendments, applyAmendments(triage, amendments, 'dr'))).toEqual({
      before: ['Nodule', 'Effusion'], after: ['Right pleural effusion', 'Rib fracture'], findingsBefore: 2, findingsAfter: 2,
    });
  });

  test('an approval of a 10,000-finding study is a record of a few bytes, not of every label', () => {
    const triage = Array.from({ length: 10_000 }, (_, i) => triaged(`Low resolution ${i}`));
    const diff = amendmentDiff(triage, [], applyAmendments(triage, [], 'dr'));
    expect(diff).toEqual({ before: [], after: [], findingsBefore: 10_000, findingsAfter: 10_000 });
    expect(JSON.stringify(diff).length).toBeLessThan(100);
  });
});
