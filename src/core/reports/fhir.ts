/**
 * Minimal FHIR R4 DiagnosticReport with one contained Observation per finding.
 * The subject is a pseudonymous identifier only: no Patient resource, no names.
 */
import { PSEUDONYM_IDENTIFIER_SYSTEM, ReportInput } from './types';
import { AnalyzerFinding, AnalyzerResult } from '../../shared/analyzer-result';
import { isSafeCodeSystem } from '../analysis/result-validation';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type FhirResource = { [key: string]: Json };

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
/** Extension URL carrying the analyzer's confidence (0..1) on each Observation. */
export const CONFIDENCE_EXTENSION_URL = 'urn:cdk-medical-imaging-pipeline:fhir:ai-confidence';

/** FHIR ids allow [A-Za-z0-9-.]{1,64}. */
function fhirId(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}

/** The finding as a CodeableConcept: coded when the analyzer supplied a code and its system. */
export function findingConcept(finding: AnalyzerFinding): FhirResource {
  // Validation already refused other systems; checked again so a javascript: URL can never be written as a Coding.
  if (finding.code !== undefined && finding.codeSystem !== undefined && isSafeCodeSystem(finding.codeSystem)) {
    return { coding: [{ system: finding.codeSystem, code: finding.code, display: finding.label }], text: finding.label };
  }
  return { text: finding.label };
}

function observation(id: string, result: AnalyzerResult, finding: AnalyzerFinding, status: string): FhirResource {
  return {
    resourceType: 'Observation',
    id,
    status,
    extension: [{ url: CONFIDENCE_EXTENSION_URL, valueDecimal: finding.confidence }],
    code: { coding: [{ system: LOINC, code: '59776-5', display: 'Procedure findings Narrative' }], text: 'Imaging AI finding' },
    valueCodeableConcept: findingConcept(finding),
    component: [
      {
        code: { text: 'AI confidence' },
        valueQuantity: { value: finding.confidence, unit: 'ratio', system: UCUM, code: '1' },
      },
      { code: { text: 'Image reference' }, valueString: finding.imageRef },
    ],
    device: { display: `${result.analyzerName} (${result.modelId} ${result.modelVersion})` },
  };
}

export function buildDiagnosticReport(input: ReportInput): FhirResource {
  const observationStatus = input.status === 'final' ? 'final' : 'preliminary';
  const observations: FhirResource[] = [];
  for (const result of input.results) {
    for (const finding of result.findings ?? []) {
      observations.push(observation(`finding-${observations.length + 1}`, result, finding, observationStatus));
    }
  }
  return {
    resourceType: 'DiagnosticReport',
    id: fhirId(`${input.studyKey}-v${input.version}`),
    status: input.status,
    category: [{
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' }],
    }],
    code: { coding: [{ system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }], text: 'Imaging AI analysis' },
    subject: { identifier: { system: PSEUDONYM_IDENTIFIER_SYSTEM, value: input.studyKey } },
    issued: input.issuedAt,
    contained: observations,
    result: observations.map((obs) => ({ reference: `#${String(obs.id)}` })),
    conclusion: conclusion(input),
  };
}

/** One-line summary shared by the FHIR and HTML reports. */
export function conclusion(input: ReportInput): string {
  const { aggregate } = input;
  const parts = [
    `${aggregate.findingCount} finding(s) from ${aggregate.succeeded.length} analyzer(s)`,
    aggregate.failed.length > 0 ? `${aggregate.failed.length} analyzer(s) failed` : undefined,
    input.reviewDecision === 'REJECTED' ? 'AI findings rejected by the reviewing clinician' : undefined,
    input.reviewDecision === 'APPROVED' ? 'approved by the reviewing clinician' : undefined,
    input.reviewDecision === 'TIMED_OUT' ? 'awaiting clinician review (review window expired)' : undefined,
    input.reviewDecision === undefined && input.status === 'final' ? 'released automatically' : undefined,
  ];
  return `${parts.filter((part) => part !== undefined).join('; ')}.`;
}
