import { validateAnalyzerResult } from '../../../src/core/analysis/result-validation';

const expected = { analyzerName: 'cxr', imageRefs: new Set(['s/1', 's/2']) };
const valid = {
  schemaVersion: '2.0',
  analyzerName: 'cxr',
  modelId: 'acme.cxr',
  modelVersion: '3.1',
  status: 'SUCCEEDED',
  durationMs: 12,
  findings: [
    { label: ' Pleural effusion ', code: '60046008', codeSystem: 'http://snomed.info/sct', confidence: 0.91, imageRef: 's/1', region: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 } },
    { label: 'Cardiomegaly', confidence: 0, imageRef: 's/2' },
  ],
};

test('a valid result is rebuilt from its known fields only', () => {
  const checked = validateAnalyzerResult({ ...valid, extra: '<script>', tokenUsage: { inputTokens: 10, outputTokens: 3 } }, expected);
  expect(checked).toEqual({
    valid: true,
    result: {
      ...valid,
      findings: [{ ...valid.findings[0], label: 'Pleural effusion' }, valid.findings[1]],
      tokenUsage: { inputTokens: 10, outputTokens: 3 },
    },
  });
});

test.each([
  ['not an object', 'SUCCEEDED', /the result is not an object/],
  ['wrong analyzer', { ...valid, analyzerName: 'other' }, /analyzerName does not match/],
  ['unknown status', { ...valid, status: 'DONE' }, /status must be/],
  ['schema 3', { ...valid, schemaVersion: '3.0' }, /schemaVersion/],
  ['confidence as a string', { ...valid, findings: [{ ...valid.findings[1], confidence: '0.9' }] }, /findings\[0\]\.confidence/],
  ['confidence above 1', { ...valid, findings: [{ ...valid.findings[1], confidence: 1.2 }] }, /findings\[0\]\.confidence/],
  ['a javascript: code system', { ...valid, findings: [{ ...valid.findings[0], codeSystem: 'javascript:alert(1)' }] }, /findings\[0\]\.codeSystem/],
  ['a data: code system', { ...valid, findings: [{ ...valid.findings[0], codeSystem: 'data:text/html,x' }] }, /findings\[0\]\.codeSystem/],
  ['a code without its system', { ...valid, findings: [{ label: 'x', code: '1', confidence: 0.5, imageRef: 's/1' }] }, /code and codeSystem together/],
  ['an image outside the batch', { ...valid, findings: [{ label: 'x', confidence: 0.5, imageRef: 's/9' }] }, /does not name an image of this invocation/],
  ['a region outside the image', { ...valid, findings: [{ ...valid.findings[0], region: { left: 0.8, top: 0, width: 0.5, height: 0.1 } }] }, /reaches outside the image/],
  ['a label with control characters', { ...valid, findings: [{ label: 'a\u0000b', confidence: 0.5, imageRef: 's/1' }] }, /label must be/],
  ['an empty label', { ...valid, findings: [{ label: '  ', confidence: 0.5, imageRef: 's/1' }] }, /label must be/],
  ['a negative duration', { ...valid, durationMs: -1 }, /durationMs/],
  ['a lower-case error code', { ...valid, status: 'FAILED', errorCode: 'oops' }, /errorCode/],
  ['fractional token counts', { ...valid, tokenUsage: { inputTokens: 1.5, outputTokens: 1 } }, /tokenUsage/],
  ['too many findings', { ...valid, findings: Array.from({ length: 401 }, () => valid.findings[1]) }, /too many findings/],
])('%s is invalid, and the problem names the field, not the value', (_case, raw, problem) => {
  const checked = validateAnalyzerResult(raw, expected);
  expect(checked.valid).toBe(false);
  if (!checked.valid) {
    expect(checked.problem).toMatch(problem);
    expect(checked.problem).not.toMatch(/alert|script|0\.9'|oops/);
  }
});
