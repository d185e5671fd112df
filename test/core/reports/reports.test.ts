import { AI_DISCLAIMER, buildDiagnosticReport, buildHtmlReport, CONFIDENCE_EXTENSION_URL, REPORT_CSP, escapeHtml, PSEUDONYM_IDENTIFIER_SYSTEM } from '../../../src/core/reports';
import { analyzerResult, reportInput } from '../../support/report-fixtures';

const input = reportInput([analyzerResult([
  { label: 'Underexposed image', code: 'IQ-UNDEREXPOSED', codeSystem: 'urn:cdk-mip:image-quality', confidence: 0.93, imageRef: 'ser/ins' },
  { label: '<script>alert("x")</script> & more', confidence: 0.81, imageRef: 'ser/ins2' },
])]);

describe('FHIR DiagnosticReport', () => {
  const report = buildDiagnosticReport(input) as Record<string, any>;

  test('has the R4 shape with a pseudonymous subject only', () => {
    expect(report.resourceType).toBe('DiagnosticReport');
    expect(report.status).toBe('final');
    expect(report.code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '18748-4' });
    expect(report.subject).toEqual({ identifier: { system: PSEUDONYM_IDENTIFIER_SYSTEM, value: 'stk0123abcd' } });
    expect(report.issued).toBe(input.issuedAt);
    expect(report.id).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
  });

  test('contains one Observation per finding, referenced from result', () => {
    expect(report.contained).toHaveLength(2);
    expect(report.result).toEqual([{ reference: '#finding-1' }, { reference: '#finding-2' }]);
    const [coded, uncoded] = report.contained;
    expect(coded.resourceType).toBe('Observation');
    expect(coded.status).toBe('final');
    expect(coded.valueCodeableConcept).toEqual({
      coding: [{ system: 'urn:cdk-mip:image-quality', code: 'IQ-UNDEREXPOSED', display: 'Underexposed image' }],
      text: 'Underexposed image',
    });
    expect(coded.extension).toEqual([{ url: CONFIDENCE_EXTENSION_URL, valueDecimal: 0.93 }]);
    expect(coded.component[0].valueQuantity).toMatchObject({ value: 0.93, system: 'http://unitsofmeasure.org', code: '1' });
    expect(uncoded.valueCodeableConcept).toEqual({ text: input.results[0].findings[1].label });
  });

  test('a preliminary report has preliminary observations', () => {
    const prelim = buildDiagnosticReport({ ...input, status: 'preliminary' }) as Record<string, any>;
    expect(prelim.status).toBe('preliminary');
    expect(prelim.contained[0].status).toBe('preliminary');
  });

  test('is deterministic for the same input and timestamp', () => {
    expect(JSON.stringify(buildDiagnosticReport(input))).toBe(JSON.stringify(buildDiagnosticReport(input)));
  });
});

describe('HTML report', () => {
  test('escapes every interpolated string', () => {
    const html = buildHtmlReport(input);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('stk0123abcd');
    expect(html).toContain('Underexposed image');
  });

  test('escapes a hostile study key and analyzer name too', () => {
    const html = buildHtmlReport({
      ...input,
      studyKey: '"><img src=x>',
      results: [{ ...input.results[0], analyzerName: "<b>'x'</b>" }],
    });
    expect(html).not.toMatch(/<img|<b>/);
    expect(html).toContain('&quot;&gt;&lt;img src=x&gt;');
  });

  test('is deterministic', () => {
    expect(buildHtmlReport(input)).toBe(buildHtmlReport(input));
  });

  test('escapeHtml covers the five special characters', () => {
    expect(escapeHtml('&<>"\'')).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  test('carries a restrictive CSP, the AI disclaimer, priority and review status', () => {
    const html = buildHtmlReport({ ...input, reviewDecision: 'APPROVED', reviewer: 'rev-1' }, { modality: 'CR', imageCount: 3 });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toMatch(/default-src 'none'/);
    expect(html).toContain(AI_DISCLAIMER);
    expect(html).toContain('Approved by a clinician');
    expect(html).toContain('<dd>rev-1</dd>');
    expect(html).toContain('<dd>CR</dd>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('a confidence that is not a number (never past validation) does not crash the report', () => {
    const bad = { ...input.results[0], findings: [{ ...input.results[0].findings[0], confidence: '0.9' as unknown as number }] };
    expect(buildHtmlReport({ ...input, results: [bad] })).toContain('<td>unknown</td>');
  });

  test('refuses a preview that is not PNG or JPEG', () => {
    const preview = { imageRef: 'ser/ins', mimeType: 'text/html', bytes: new Uint8Array([1]), description: 'x' };
    expect(() => buildHtmlReport(input, { previews: [preview] })).toThrow(/PNG or JPEG/);
  });
});
