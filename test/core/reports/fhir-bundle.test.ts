import { buildDiagnosticReport, buildFhirBundle, REVIEWER_IDENTIFIER_SYSTEM } from '../../../src/core/reports';
import { fhirSchemaErrors } from '../../support/fhir-schema';
import { analyzerResult, PNEUMOTHORAX, REPORT_STUDY as study, reportInput, UNDEREXPOSED } from '../../support/report-fixtures';

const input = reportInput([
  analyzerResult([PNEUMOTHORAX, UNDEREXPOSED]),
  analyzerResult([{ label: 'Text', confidence: 0.5, imageRef: PNEUMOTHORAX.imageRef }], { analyzerName: 'labels', modelId: 'rekognition', modelVersion: '2025-01', durationMs: 40 }),
], { reviewDecision: 'APPROVED', reviewer: 'rev-7f3a' });

type Entry = { fullUrl: string; resource: Record<string, any> };
const entriesOf = (bundle: Record<string, any>): Entry[] => bundle.entry;
const ofType = (bundle: Record<string, any>, type: string) => entriesOf(bundle).filter((e) => e.resource.resourceType === type);

describe('FHIR R4 report bundle', () => {
  const bundle = buildFhirBundle(input, study) as Record<string, any>;

  test('the bundle and every resource in it validate against the official FHIR R4 JSON schema', () => {
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    for (const { resource } of entriesOf(bundle)) expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(fhirSchemaErrors(buildDiagnosticReport(input))).toEqual([]);
  });

  test('the schema check can fail: a malformed resource is reported', () => {
    const [report] = entriesOf(bundle);
    expect(fhirSchemaErrors({ ...report.resource, status: 'done' })).not.toEqual([]);
    expect(fhirSchemaErrors({ ...report.resource, id: 'has spaces' })).not.toEqual([]);
  });

  test('holds one DiagnosticReport, an Observation per finding, the ImagingStudy, a Device per model and a Provenance', () => {
    expect(bundle.type).toBe('collection');
    expect(ofType(bundle, 'DiagnosticReport')).toHaveLength(1);
    expect(ofType(bundle, 'Observation')).toHaveLength(3);
    expect(ofType(bundle, 'ImagingStudy')).toHaveLength(1);
    expect(ofType(bundle, 'Device').map((e) => e.resource.modelNumber).sort()).toEqual(['image-quality', 'rekognition']);
    expect(ofType(bundle, 'Provenance')).toHaveLength(1);
  });

  test('every reference resolves to an entry of the bundle', () => {
    const urls = new Set(entriesOf(bundle).map((e) => e.fullUrl));
    const refs = JSON.stringify(bundle).match(/"reference":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(8);
    for (const ref of refs) expect(urls.has(JSON.parse(`{${ref}}`).reference)).toBe(true);
    for (const url of urls) expect(url).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('observations carry value, confidence, body site, device, method and derivedFrom the study', () => {
    const [report] = ofType(bundle, 'DiagnosticReport');
    const [imaging] = ofType(bundle, 'ImagingStudy');
    const [coded, plain] = ofType(bundle, 'Observation').map((e) => e.resource);
    expect(report.resource.result.map((r: any) => r.reference)).toEqual(ofType(bundle, 'Observation').map((e) => e.fullUrl));
    expect(coded.valueCodeableConcept.coding).toEqual([{ system: 'http://snomed.info/sct', code: '36118008', display: 'Pneumothorax' }]);
    expect(plain.valueCodeableConcept).toEqual({ text: 'Underexposed image' });
    expect(coded.component[0].valueQuantity.value).toBe(0.93);
    expect(coded.bodySite).toEqual({ text: 'CHEST' });
    expect(coded.derivedFrom).toEqual([{ reference: imaging.fullUrl }]);
    const device = ofType(bundle, 'Device').find((e) => e.fullUrl === coded.device.reference)!;
    expect(device.resource.version).toEqual([{ value: '1' }]);
    expect(coded.method.text).toContain('quality');
  });

  test('the ImagingStudy lists the de-identified series and instances', () => {
    const [{ resource }] = ofType(bundle, 'ImagingStudy');
    expect(resource.identifier[0].value).toBe('urn:oid:2.25.1234567890');
    expect(resource.numberOfInstances).toBe(2);
    expect(resource.series[0]).toMatchObject({ uid: '2.25.11', modality: { code: 'CR' }, numberOfInstances: 2 });
    expect(resource.series[0].instance.map((i: any) => i.uid)).toEqual(['2.25.111', '2.25.112']);
  });

  test('the Provenance names the devices and the approving reviewer (pseudonymous id only)', () => {
    const [{ resource }] = ofType(bundle, 'Provenance');
    expect(resource.target).toHaveLength(4);
    const who = resource.agent.map((a: any) => a.who);
    expect(who.filter((w: any) => w.reference !== undefined)).toHaveLength(2);
    expect(who).toContainEqual({ identifier: { system: REVIEWER_IDENTIFIER_SYSTEM, value: 'rev-7f3a' } });
    expect(resource.agent.at(-1).type.coding[0].code).toBe('attester');
  });

  test.each(['preliminary', 'final', 'amended'] as const)('a %s report has observations of that status and validates', (status) => {
    const b = buildFhirBundle({ ...input, status, reviewDecision: undefined }) as Record<string, any>;
    expect(ofType(b, 'DiagnosticReport')[0].resource.status).toBe(status);
    for (const e of ofType(b, 'Observation')) expect(e.resource.status).toBe(status);
    expect(ofType(b, 'Provenance')[0].resource.activity.coding[0].code).toBe(status === 'amended' ? 'UPDATE' : 'CREATE');
    for (const e of entriesOf(b)) expect(fhirSchemaErrors(e.resource)).toEqual([]);
  });

  test('versions get distinct resource ids; the same input gives the same bundle', () => {
    expect(JSON.stringify(buildFhirBundle(input, study))).toBe(JSON.stringify(bundle));
    expect(buildFhirBundle({ ...input, version: 3 }, study).id).not.toBe(bundle.id);
  });

  test('a javascript: code system that bypassed validation never becomes a Coding', () => {
    const hostile = { ...input.results[0], findings: [{ ...input.results[0].findings[0], codeSystem: 'javascript:alert(1)' }] };
    const b = buildFhirBundle({ ...input, results: [hostile] }) as Record<string, any>;
    expect(JSON.stringify(b)).not.toContain('javascript:');
    expect(ofType(b, 'Observation')[0].resource.valueCodeableConcept).toEqual({ text: 'Pneumothorax' });
  });

  test('a malformed study UID or modality is refused, not written', () => {
    expect(() => buildFhirBundle(input, { ...study, studyInstanceUid: '1.2.x' })).toThrow(/DICOM UID/);
    expect(() => buildFhirBundle(input, { ...study, series: [{ ...study.series[0], modality: 'ct<' }] })).toThrow(/modality/);
  });
});
