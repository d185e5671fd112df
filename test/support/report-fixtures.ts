/**
 * Report inputs shared by the report tests (FHIR, HTML, SR): a de-identified
 * CR chest study of two instances, a coded finding with a region and an
 * uncoded one, and builders that vary only what a test is about.
 */
import { summaryOf } from './summaries';
import { ReportInput, ReportStudy } from '../../src/core/reports';
import { ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerResult, AnalyzerStatus } from '../../src/shared/analyzer-result';

export const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';

/** Study, series and SOP instance UIDs as the pipeline writes them (2.25 replacements). */
export const REPORT_STUDY: ReportStudy = {
  studyInstanceUid: '2.25.1234567890',
  series: [{
    seriesInstanceUid: '2.25.11',
    modality: 'CR',
    bodyPart: 'CHEST',
    instances: [{ sopInstanceUid: '2.25.111', sopClassUid: CR_IMAGE_STORAGE }, { sopInstanceUid: '2.25.112', sopClassUid: CR_IMAGE_STORAGE }],
  }],
};

/** SNOMED CT coded, on the first instance, with a region. */
export const PNEUMOTHORAX: AnalyzerFinding = {
  label: 'Pneumothorax',
  code: '36118008',
  codeSystem: 'http://snomed.info/sct',
  confidence: 0.93,
  imageRef: '2.25.11/2.25.111',
  region: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
};

/** Uncoded, on the second instance. */
export const UNDEREXPOSED: AnalyzerFinding = { label: 'Underexposed image', confidence: 0.81, imageRef: '2.25.11/2.25.112' };

/** A SUCCEEDED result of the 'quality' analyzer (model image-quality 1) with these findings. */
export function analyzerResult(findings: AnalyzerFinding[], overrides: Partial<AnalyzerResult> = {}): AnalyzerResult {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: 'quality',
    modelId: 'image-quality',
    modelVersion: '1',
    status: AnalyzerStatus.SUCCEEDED,
    durationMs: 12,
    findings,
    ...overrides,
  };
}

/** A final report of version 2 of 'stk0123abcd' with these results (default: the quality analyzer's two findings). */
export function reportInput(
  results: AnalyzerResult[] = [analyzerResult([PNEUMOTHORAX, UNDEREXPOSED])],
  overrides: Partial<ReportInput> = {},
): ReportInput {
  return {
    studyKey: 'stk0123abcd',
    version: 2,
    status: 'final',
    issuedAt: '2025-02-03T04:05:06.000Z',
    aggregate: summaryOf(results.flatMap((r) => r.findings.map((f) => f.confidence))),
    results,
    ...overrides,
  };
}
