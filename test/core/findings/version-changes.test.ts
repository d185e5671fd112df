import { summarizeVersionChanges, VersionFinding } from '../../../src/core/findings';

const f = (analyzerName: string, label: string, confidence: number, imageRef = 'series-1/image-1', code?: string): VersionFinding => ({
  analyzerName,
  finding: { label, confidence, imageRef, ...(code === undefined ? {} : { code }) },
});

describe('summarizeVersionChanges', () => {
  test('names findings added, removed and whose confidence moved; unchanged ones are counted', () => {
    const summary = summarizeVersionChanges(
      { version: 1, findings: [f('qc', 'Underexposed image', 0.9), f('cxr', 'Nodule', 0.41, 'img-2', '27925004'), f('cxr', 'Effusion', 0.7)] },
      { version: 2, findings: [f('qc', 'Underexposed image', 0.905), f('cxr', 'Nodule', 0.83, 'img-2', '27925004'), f('cxr', 'Pneumothorax', 0.6)] },
    );
    expect(summary).toEqual({
      previousVersion: 1,
      version: 2,
      added: [{ analyzerName: 'cxr', label: 'Pneumothorax', imageRef: 'series-1/image-1', confidence: 0.6 }],
      removed: [{ analyzerName: 'cxr', label: 'Effusion', imageRef: 'series-1/image-1', confidence: 0.7 }],
      confidenceMoved: [{ analyzerName: 'cxr', label: 'Nodule', code: '27925004', imageRef: 'img-2', previousConfidence: 0.41, confidence: 0.83 }],
      unchangedCount: 1,
    });
  });

  test('the same label on another image or from another analyzer is a different finding', () => {
    const summary = summarizeVersionChanges(
      { version: 1, findings: [f('a', 'Nodule', 0.5, 'img-1')] },
      { version: 2, findings: [f('a', 'Nodule', 0.5, 'img-2'), f('b', 'Nodule', 0.5, 'img-1')] },
    );
    expect(summary.added.map((x) => `${x.analyzerName}:${x.imageRef}`)).toEqual(['a:img-2', 'b:img-1']);
    expect(summary.removed.map((x) => `${x.analyzerName}:${x.imageRef}`)).toEqual(['a:img-1']);
    expect(summary.unchangedCount).toBe(0);
  });

  test('repeats pair up in order; the extra occurrences are added or removed', () => {
    const summary = summarizeVersionChanges(
      { version: 2, findings: [f('a', 'Nodule', 0.5), f('a', 'Nodule', 0.6), f('a', 'Nodule', 0.7)] },
      { version: 3, findings: [f('a', 'Nodule', 0.5)] },
    );
    expect(summary.unchangedCount).toBe(1);
    expect(summary.removed.map((x) => x.confidence)).toEqual([0.6, 0.7]);
    expect(summary.added).toEqual([]);
  });

  test('the tolerance decides what counts as moved', () => {
    const previous = { version: 1, findings: [f('a', 'Nodule', 0.5)] };
    const current = { version: 2, findings: [f('a', 'Nodule', 0.54)] };
    expect(summarizeVersionChanges(previous, current, 0.05).confidenceMoved).toEqual([]);
    expect(summarizeVersionChanges(previous, current).confidenceMoved).toHaveLength(1);
  });
});
