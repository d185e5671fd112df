import { DEFAULT_AUTO_RELEASE_THRESHOLD, ruleProblems, thresholdRules, triageFindings } from '../../../src/core/findings';
import { ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerResult, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { FindingAction, FindingRule, StudyPriority } from '../../../src/shared/finding-rules';

const SNOMED = 'http://snomed.info/sct';

type FindingSpec = Partial<AnalyzerFinding> & { confidence: number };

function result(analyzerName: string, status: AnalyzerStatus, findings: FindingSpec[] = []): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName,
    modelId: 'm',
    modelVersion: '1',
    status,
    durationMs: 5,
    findings: findings.map((f, i) => ({ label: `finding ${i}`, imageRef: 's/i', ...f })),
  };
}
const confidences = (analyzerName: string, values: number[]) =>
  result(analyzerName, AnalyzerStatus.SUCCEEDED, values.map((confidence) => ({ confidence })));
const byThreshold = (t = DEFAULT_AUTO_RELEASE_THRESHOLD) => thresholdRules(t);

describe('the autoReleaseThreshold shorthand (the default rules)', () => {
  test('counts findings, max confidence and analyzer outcomes; confident findings are released', () => {
    const { summary } = triageFindings([confidences('a', [0.9, 0.95]), confidences('b', [0.85]), result('c', AnalyzerStatus.SKIPPED)], byThreshold());
    expect(summary).toEqual({
      findingCount: 3,
      heldCount: 0,
      suppressedCount: 0,
      maxConfidence: 0.95,
      priority: 'ROUTINE',
      reviewRequired: false,
      reviewReasons: [],
      succeeded: ['a', 'b'],
      failed: [],
      skipped: ['c'],
    });
  });

  test('the default threshold is 0.8: a finding at it is released, one below it holds the study', () => {
    expect(DEFAULT_AUTO_RELEASE_THRESHOLD).toBe(0.8);
    expect(triageFindings([confidences('a', [0.8])], byThreshold()).summary.reviewRequired).toBe(false);
    expect(triageFindings([confidences('a', [0.79, 0.99])], byThreshold()).summary).toMatchObject({
      reviewRequired: true, reviewReasons: ['FINDING_HELD'], heldCount: 1,
    });
  });

  test('a custom threshold applies', () => {
    expect(triageFindings([confidences('a', [0.6])], byThreshold(0.5)).summary.reviewRequired).toBe(false);
    expect(triageFindings([confidences('a', [0.6])], byThreshold(0.7)).summary.reviewRequired).toBe(true);
  });

  test('an unusable confidence is held and left out of the maximum', () => {
    expect(triageFindings([confidences('a', [Number.NaN, 0.9])], byThreshold()).summary).toMatchObject({ reviewRequired: true, maxConfidence: 0.9, findingCount: 2 });
  });
});

describe('safe defaults whatever the rules', () => {
  const releaseAll: FindingRule[] = [{ action: FindingAction.RELEASE }];

  test('a study flagged at ingest (burned-in annotation) is held even with every finding released', () => {
    expect(triageFindings([confidences('a', [0.99])], releaseAll, false).summary.reviewRequired).toBe(false);
    expect(triageFindings([confidences('a', [0.99])], releaseAll, true).summary).toMatchObject({ reviewRequired: true, reviewReasons: ['BURNED_IN_ANNOTATION'] });
  });

  test('any FAILED analyzer holds the study', () => {
    const { summary } = triageFindings([confidences('a', [0.99]), result('b', AnalyzerStatus.FAILED)], releaseAll);
    expect(summary).toMatchObject({ reviewRequired: true, reviewReasons: ['ANALYZER_FAILED'], failed: ['b'] });
  });

  test('when no analyzer succeeded, review is required', () => {
    expect(triageFindings([result('a', AnalyzerStatus.SKIPPED)], releaseAll).summary.reviewReasons).toEqual(['NO_ANALYZER_SUCCEEDED']);
    expect(triageFindings([], releaseAll).summary.reviewRequired).toBe(true);
  });

  test('a finding no rule matches is held', () => {
    const rules: FindingRule[] = [{ match: { labels: ['Pneumothorax'] }, action: FindingAction.RELEASE }];
    const { findings, summary } = triageFindings([result('cxr', AnalyzerStatus.SUCCEEDED, [{ label: 'Nodule', confidence: 0.99 }])], rules);
    expect(findings[0]).toMatchObject({ action: 'HOLD_FOR_REVIEW', rule: -1 });
    expect(summary.reviewRequired).toBe(true);
  });

  test('no findings from a successful analyzer are released', () => {
    expect(triageFindings([confidences('a', [])], byThreshold()).summary).toMatchObject({ findingCount: 0, maxConfidence: 0, reviewRequired: false, priority: 'ROUTINE' });
  });
});

describe('finding rules', () => {
  const rules: FindingRule[] = [
    // Image-quality noise is never reported.
    { match: { analyzers: ['image-quality'], confidenceBelow: 0.5 }, action: FindingAction.SUPPRESS },
    // A pneumothorax is STAT and always seen by a clinician, however confident the model.
    { match: { code: '36118008', codeSystem: SNOMED }, action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.STAT },
    { match: { labels: ['nodule'], confidenceAtLeast: 0.3 }, action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.URGENT },
    { match: { confidenceAtLeast: 0.9 }, action: FindingAction.RELEASE },
  ];
  const results = [
    result('image-quality', AnalyzerStatus.SUCCEEDED, [{ label: 'Low contrast image', confidence: 0.2 }, { label: 'Underexposed image', confidence: 0.95 }]),
    result('cxr', AnalyzerStatus.SUCCEEDED, [
      { label: 'Pneumothorax', code: '36118008', codeSystem: SNOMED, confidence: 0.99 },
      { label: 'Nodule', confidence: 0.4 },
      { label: 'Cardiomegaly', confidence: 0.95 },
    ]),
  ];

  test('the first matching rule decides each finding, in order', () => {
    const { findings } = triageFindings(results, rules);
    expect(findings.map((f) => [f.finding.label, f.action, f.priority, f.rule])).toEqual([
      ['Low contrast image', 'SUPPRESS', 'ROUTINE', 0],
      ['Underexposed image', 'RELEASE', 'ROUTINE', 3],
      ['Pneumothorax', 'HOLD_FOR_REVIEW', 'STAT', 1],
      ['Nodule', 'HOLD_FOR_REVIEW', 'URGENT', 2],
      ['Cardiomegaly', 'RELEASE', 'ROUTINE', 3],
    ]);
  });

  test('the study is held at the highest priority of its reported findings; suppressed findings do not count', () => {
    expect(triageFindings(results, rules).summary).toMatchObject({
      findingCount: 4, suppressedCount: 1, heldCount: 2, priority: 'STAT', reviewRequired: true, reviewReasons: ['FINDING_HELD'],
    });
    // Without the pneumothorax the study is URGENT; a suppressed finding never raises the priority.
    const urgent = triageFindings([results[1]].map((r) => ({ ...r, findings: r.findings.filter((f) => f.label !== 'Pneumothorax') })), rules);
    expect(urgent.summary.priority).toBe('URGENT');
    const suppressedStat: FindingRule[] = [{ match: { labels: ['Pneumothorax'] }, action: FindingAction.SUPPRESS, priority: StudyPriority.STAT }, { action: FindingAction.RELEASE }];
    expect(triageFindings(results, suppressedStat).summary).toMatchObject({ priority: 'ROUTINE', reviewRequired: false });
  });

  test('code matches need the same code system', () => {
    const other = result('cxr', AnalyzerStatus.SUCCEEDED, [{ label: 'Pneumothorax', code: '36118008', codeSystem: 'http://radlex.org', confidence: 0.99 }]);
    expect(triageFindings([other], rules).findings[0]).toMatchObject({ action: 'RELEASE', rule: 3 });
  });

  test.each([
    [[{ action: 'NOPE' }], /unknown action/],
    [[{ action: FindingAction.RELEASE, priority: 'SOON' }], /unknown priority/],
    [[{ match: { confidenceAtLeast: 1.2 }, action: FindingAction.RELEASE }], /between 0 and 1/],
    [[{ match: { confidenceAtLeast: 0.6, confidenceBelow: 0.5 }, action: FindingAction.RELEASE }], /confidenceAtLeast must be below confidenceBelow/],
    [[{ match: { code: '1' }, action: FindingAction.RELEASE }], /code and codeSystem together/],
    [[{ match: { labels: [] }, action: FindingAction.RELEASE }], /empty list matches nothing/],
  ])('refuses %p', (bad, problem) => {
    expect(ruleProblems(bad as FindingRule[]).join('; ')).toMatch(problem);
    expect(ruleProblems(rules)).toEqual([]);
  });
});
