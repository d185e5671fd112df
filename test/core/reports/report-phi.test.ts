/**
 * No PHI reaches a report: DICOM files that carry PHI in every attribute of the
 * PS3.15 profile (and in the generator's usual tags) are de-identified as the
 * pipeline does, the report study is read from the de-identified data sets,
 * and the FHIR bundle, HTML report and SR are searched for every PHI value.
 */
import { deidentifyPart10, elementText, findElement, readPart10, resolveDeidentificationSettings, Tags, writePart10 } from '../../../src/core/deid';
import { buildFhirBundle, buildHtmlReport, buildMeasurementReportSr, ReportInput, ReportStudy } from '../../../src/core/reports';
import { ANALYZER_CONTRACT_VERSION, AnalyzerStatus } from '../../../src/shared/analyzer-result';
import { makeDicom, phiValues } from '../../fixtures/images';
import { summaryOf } from '../../support/summaries';
import { phiDataset, ROOT } from '../deid/phi-dataset';

const KEY = Buffer.from('report-phi-test-key-0123456789ab');
const CT = '1.2.840.10008.5.1.4.1.1.2';
const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;

test('no PHI value of the source files appears in the FHIR bundle, the HTML report or the SR', () => {
  const tableFile = phiDataset();
  const sources = [
    writePart10(tableFile.dataset, { mediaStorageSopClassUid: CT, mediaStorageSopInstanceUid: tableFile.sopInstanceUid }),
    makeDicom(),
  ];
  const phi = [...tableFile.phiStrings, ...phiValues()].filter((value) => value.length >= 4);
  const settings = resolveDeidentificationSettings({});
  const deidentified = sources.map((bytes) => readPart10(deidentifyPart10(bytes, KEY, settings).part10).dataset);
  const value = (dataset: (typeof deidentified)[number], tag: number) => elementText(findElement(dataset, tag)) ?? '';
  const study: ReportStudy = {
    studyInstanceUid: value(deidentified[0], STUDY_INSTANCE_UID),
    series: deidentified.map((dataset) => ({
      seriesInstanceUid: value(dataset, SERIES_INSTANCE_UID),
      modality: value(dataset, Tags.MODALITY) || 'OT',
      instances: [{ sopInstanceUid: value(dataset, Tags.SOP_INSTANCE_UID), sopClassUid: value(dataset, Tags.SOP_CLASS_UID) }],
    })),
  };
  const first = study.series[0];
  const input: ReportInput = {
    studyKey: 'stk-pseudonym-1',
    version: 1,
    status: 'final',
    issuedAt: '2025-02-03T04:05:06.000Z',
    aggregate: summaryOf([0.9]),
    reviewDecision: 'APPROVED',
    reviewer: 'rev-pseudonym-1',
    results: [{
      schemaVersion: ANALYZER_CONTRACT_VERSION,
      analyzerName: 'quality',
      modelId: 'image-quality',
      modelVersion: '1',
      status: AnalyzerStatus.SUCCEEDED,
      durationMs: 5,
      findings: [{
        label: 'Low contrast image',
        confidence: 0.9,
        imageRef: `${first.seriesInstanceUid}/${first.instances[0].sopInstanceUid}`,
        region: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
      }],
    }],
  };
  const outputs = {
    fhir: JSON.stringify(buildFhirBundle(input, study)),
    html: buildHtmlReport(input, { modality: first.modality, imageCount: 2 }),
    sr: buildMeasurementReportSr(input, { study, imageSizes: new Map([[first.instances[0].sopInstanceUid, { columns: 64, rows: 64 }]]) })
      .bytes.toString('latin1'),
  };
  // Sanity: the sources carried the PHI and the outputs do carry the de-identified study.
  const raw = sources.map((b) => b.toString('latin1')).join('');
  expect(phi.filter((v) => !raw.includes(v))).toEqual([]);
  for (const out of [outputs.fhir, outputs.sr]) expect(out).toContain(study.studyInstanceUid);

  const leaks = Object.entries(outputs).flatMap(([where, text]) => phi.filter((v) => text.includes(v)).map((v) => `${where}: ${v}`));
  expect(leaks).toEqual([]);
  for (const text of Object.values(outputs)) expect(text).not.toContain(ROOT);
});
