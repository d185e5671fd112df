/**
 * FHIR R4 collection Bundle for one study version's report: the DiagnosticReport,
 * one Observation per finding, the de-identified ImagingStudy, one Device per
 * analyzer model+version and a Provenance naming what produced the report and
 * who approved it. Entries link by deterministic `urn:uuid:` full URLs so the
 * same input gives the same bundle. Only pseudonymous identifiers appear.
 */
import { createHash } from 'node:crypto';
import { CONFIDENCE_EXTENSION_URL, conclusion, FhirResource, findingConcept } from './fhir';
import { PSEUDONYM_IDENTIFIER_SYSTEM, ReportInput } from './types';
import { AnalyzerFinding, AnalyzerResult } from '../../shared/analyzer-result';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
/** System of the pseudonymous reviewer ids carried by the review API. */
export const REVIEWER_IDENTIFIER_SYSTEM = 'urn:cdk-medical-imaging-pipeline:pseudonymous-reviewer';
const PROVENANCE_AGENT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
/** DICOM UIDs are dotted numbers of at most 64 characters. */
const DICOM_UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
/** DICOM modality codes (CS, upper case). */
const MODALITY = /^[A-Z0-9_]{1,16}$/;

/** The de-identified study as the ImagingStudy shows it (UIDs are the pipeline's replacements). */
export interface ReportStudy {
  readonly studyInstanceUid: string;
  readonly series: readonly ReportSeries[];
}

export interface ReportSeries {
  readonly seriesInstanceUid: string;
  readonly modality: string;
  readonly bodyPart?: string;
  readonly instances: readonly ReportInstance[];
}

export interface ReportInstance {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  /** The pipeline's `<seriesKey>/<instanceKey>` of the image, which findings refer to. @default - findings name the UIDs */
  readonly imageRef?: string;
}

/** The series and instance a finding's image reference names (its `imageRef`, or `<series UID>/<SOP instance UID>`). */
export function findReportInstance(study: ReportStudy, imageRef: string): { series: ReportSeries; instance: ReportInstance } | undefined {
  const [seriesUid, instanceUid] = imageRef.split('/');
  for (const series of study.series) {
    const instance = series.instances.find((i) => i.imageRef === imageRef)
      ?? (series.seriesInstanceUid === seriesUid ? series.instances.find((i) => i.sopInstanceUid === instanceUid) : undefined);
    if (instance !== undefined) return { series, instance };
  }
  return undefined;
}

/** Deterministic UUID (RFC 4122 v4 layout) from the report identity and a local name. */
function uuidFor(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = '89ab'[parseInt(hex[16], 16) % 4];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A dotted-number UID of at most 64 characters. */
export function isDicomUid(uid: string): boolean {
  return uid.length <= 64 && DICOM_UID.test(uid);
}

function checkedUid(uid: string): string {
  if (!isDicomUid(uid)) throw new Error('A study, series or instance UID is not a valid DICOM UID');
  return uid;
}

function checkedModality(modality: string): string {
  if (!MODALITY.test(modality)) throw new Error('A series modality is not a DICOM modality code');
  return modality;
}

const subject = (input: ReportInput) => ({ identifier: { system: PSEUDONYM_IDENTIFIER_SYSTEM, value: input.studyKey } });
const modelKey = (result: AnalyzerResult) => `${result.analyzerName}\u0000${result.modelId}\u0000${result.modelVersion}`;

function device(id: string, result: AnalyzerResult): FhirResource {
  return {
    resourceType: 'Device',
    id,
    status: 'active',
    deviceName: [{ name: result.analyzerName, type: 'user-friendly-name' }, { name: result.modelId, type: 'model-name' }],
    modelNumber: result.modelId,
    version: [{ value: result.modelVersion }],
  };
}

function imagingStudy(id: string, input: ReportInput, study: ReportStudy): FhirResource {
  const series = study.series.map((s) => ({
    uid: checkedUid(s.seriesInstanceUid),
    modality: { system: DCM, code: checkedModality(s.modality) },
    numberOfInstances: s.instances.length,
    ...(s.bodyPart === undefined ? {} : { bodySite: { display: s.bodyPart } }),
    instance: s.instances.map((i) => ({ uid: checkedUid(i.sopInstanceUid), sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${checkedUid(i.sopClassUid)}` } })),
  }));
  const modalities = [...new Set(study.series.map((s) => s.modality))].map((code) => ({ system: DCM, code }));
  return {
    resourceType: 'ImagingStudy',
    id,
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${checkedUid(study.studyInstanceUid)}` }],
    status: 'available',
    ...(modalities.length === 0 ? {} : { modality: modalities }),
    subject: subject(input),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((n, s) => n + s.numberOfInstances, 0),
    ...(series.length === 0 ? {} : { series }),
  };
}

function observation(
  id: string, input: ReportInput, result: AnalyzerResult, finding: AnalyzerFinding,
  refs: { device: string; study?: string; bodySite?: string },
): FhirResource {
  return {
    resourceType: 'Observation',
    id,
    status: input.status === 'preliminary' ? 'preliminary' : input.status,
    extension: [{ url: CONFIDENCE_EXTENSION_URL, valueDecimal: finding.confidence }],
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging', display: 'Imaging' }] }],
    code: { coding: [{ system: LOINC, code: '59776-5', display: 'Procedure findings Narrative' }], text: 'Imaging AI finding' },
    subject: subject(input),
    issued: input.issuedAt,
    valueCodeableConcept: findingConcept(finding),
    ...(refs.bodySite === undefined ? {} : { bodySite: { text: refs.bodySite } }),
    method: { text: `Automated image analysis (${result.analyzerName})` },
    device: { reference: refs.device },
    ...(refs.study === undefined ? {} : { derivedFrom: [{ reference: refs.study }] }),
    component: [
      { code: { text: 'AI confidence' }, valueQuantity: { value: finding.confidence, unit: 'ratio', system: UCUM, code: '1' } },
      { code: { text: 'Image reference' }, valueString: finding.imageRef },
    ],
  };
}

/** The report Bundle (type `collection`); throws when the study's UIDs or modalities are malformed. */
export function buildFhirBundle(input: ReportInput, study?: ReportStudy): FhirResource {
  const id = (...name: (string | number)[]) => uuidFor(input.studyKey, input.version, ...name);
  const url = (uuid: string) => `urn:uuid:${uuid}`;
  const entries: FhirResource[] = [];
  const add = (resource: FhirResource) => entries.push({ fullUrl: url(String(resource.id)), resource });

  const studyId = study === undefined ? undefined : id('imaging-study');
  const devices = new Map<string, string>();
  for (const result of input.results) {
    if (!devices.has(modelKey(result))) devices.set(modelKey(result), id('device', modelKey(result)));
  }
  const observations: string[] = [];
  for (const result of input.results) {
    for (const finding of result.findings ?? []) {
      const obsId = id('observation', observations.length + 1);
      observations.push(obsId);
      add(observation(obsId, input, result, finding, {
        device: url(devices.get(modelKey(result))!),
        study: studyId === undefined ? undefined : url(studyId),
        bodySite: study === undefined ? undefined : findReportInstance(study, finding.imageRef)?.series.bodyPart,
      }));
    }
  }
  const reportId = id('diagnostic-report');
  entries.unshift({
    fullUrl: url(reportId),
    resource: {
      resourceType: 'DiagnosticReport',
      id: reportId,
      identifier: [{ system: 'urn:cdk-medical-imaging-pipeline:report', value: `${input.studyKey}-v${input.version}` }],
      status: input.status,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' }] }],
      code: { coding: [{ system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }], text: 'Imaging AI analysis' },
      subject: subject(input),
      issued: input.issuedAt,
      ...(studyId === undefined ? {} : { imagingStudy: [{ reference: url(studyId) }] }),
      result: observations.map((o) => ({ reference: url(o) })),
      conclusion: conclusion(input),
    },
  });
  if (study !== undefined) add(imagingStudy(studyId!, input, study));
  for (const result of input.results) {
    const deviceId = devices.get(modelKey(result))!;
    if (!entries.some((e) => (e.resource as FhirResource).id === deviceId)) add(device(deviceId, result));
  }
  add(provenance(id('provenance'), input, [reportId, ...observations].map(url), [...devices.values()].map(url)));
  return { resourceType: 'Bundle', id: id('bundle'), type: 'collection', timestamp: input.issuedAt, entry: entries };
}

function provenance(id: string, input: ReportInput, targets: string[], devices: string[]): FhirResource {
  const agent = (code: string, who: FhirResource) => ({ type: { coding: [{ system: PROVENANCE_AGENT, code }] }, who });
  const agents = devices.map((d) => agent('assembler', { reference: d }));
  const reviewer = input.reviewer;
  if (reviewer !== undefined && (input.reviewDecision === 'APPROVED' || input.reviewDecision === 'AMENDED' || input.reviewDecision === 'REJECTED')) {
    agents.push(agent(input.reviewDecision === 'REJECTED' ? 'verifier' : 'attester', { identifier: { system: REVIEWER_IDENTIFIER_SYSTEM, value: reviewer } }));
  }
  return {
    resourceType: 'Provenance',
    id,
    target: targets.map((reference) => ({ reference })),
    recorded: input.issuedAt,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: input.status === 'amended' ? 'UPDATE' : 'CREATE' }] },
    agent: agents,
  };
}
