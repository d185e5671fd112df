/**
 * Every document of one report revision, built from the report input and the
 * study version's de-identified image list: the FHIR DiagnosticReport, the
 * FHIR Bundle (with the ImagingStudy when the study has UIDs), the HTML
 * report with the study summary and previews, and the DICOM SR (TID 1500)
 * whenever there is a study to reference. No I/O: the caller reads the images
 * and writes the documents.
 */
import { buildMeasurementReportSr, SrPredecessor } from './dicom-sr';
import { buildDiagnosticReport } from './fhir';
import { buildFhirBundle } from './fhir-bundle';
import { buildHtmlReport, ReportPreview } from './html';
import { imageSizesOf, reportStudyOf, studySummaryOf } from './report-study';
import { ReportInput } from './types';
import { ImageReference } from '../../shared/analyzer-result';

export interface ReportSources {
  /** The study version's images (its manifest); empty when unknown: then no ImagingStudy, no SR and no study summary. */
  readonly images: readonly ImageReference[];
  /** Thumbnails to embed in the HTML report (see `previewImagesOf` and `reportPreviewOf`). */
  readonly previews?: readonly ReportPreview[];
  /** Give PNG/JPEG images generated UIDs, so their study gets an ImagingStudy and an SR too. @default false */
  readonly structuredReportForImages?: boolean;
  /** The study's previous SR, which this revision's SR replaces. @default - none (the first report) */
  readonly previousSr?: SrPredecessor;
}

export interface ReportDocuments {
  /** FHIR R4 DiagnosticReport with contained Observations (JSON). */
  readonly diagnosticReport: string;
  /** FHIR R4 collection Bundle (JSON). */
  readonly bundle: string;
  readonly html: string;
  /** DICOM Part 10 Comprehensive SR, when the study has UIDs to reference. */
  readonly structuredReport?: { readonly bytes: Buffer; readonly sopInstanceUid: string };
  /** The de-identified study UID the Bundle and the SR reference (generated for PNG/JPEG studies). */
  readonly studyInstanceUid?: string;
}

export function buildReportDocuments(input: ReportInput, sources: ReportSources): ReportDocuments {
  const study = reportStudyOf(input.studyKey, sources.images, { generateImageUids: sources.structuredReportForImages === true });
  const summary = sources.images.length === 0 ? {} : studySummaryOf(sources.images);
  return {
    diagnosticReport: JSON.stringify(buildDiagnosticReport(input), null, 2),
    bundle: JSON.stringify(buildFhirBundle(input, study), null, 2),
    html: buildHtmlReport(input, { ...summary, previews: sources.previews ?? [] }),
    ...(study === undefined ? {} : {
      structuredReport: buildMeasurementReportSr(input, { study, imageSizes: imageSizesOf(study, sources.images), predecessor: sources.previousSr }),
      studyInstanceUid: study.studyInstanceUid,
    }),
  };
}
