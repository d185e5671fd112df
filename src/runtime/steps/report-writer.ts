/**
 * Writes one report revision of a study version to the reports bucket: the
 * FHIR DiagnosticReport and Bundle, the HTML report and (when the study has
 * UIDs) the DICOM SR, under a prefix of their own so earlier versions and
 * revisions are never overwritten. The study comes from the version's
 * manifest (de-identified image list) and the previews from its analysis PNGs.
 * Used by "Persist results", by late review decisions and by re-analysis.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { buildReportDocuments, previewImagesOf, ReportInput, ReportPreview, reportPreviewOf, SrPredecessor } from '../../core/reports';
import { ImageReference, S3ObjectReference } from '../../shared/analyzer-result';
import { studyPrefix } from '../../shared/records';
import { SafeLog } from '../lambda/logger';
import { getJson, getObjectBytes, NewObject, putObjects } from '../storage/objects';

export interface ReportWriterDeps {
  readonly s3: S3Client;
  readonly reportsBucket: string;
  readonly log: SafeLog;
  /** Also write an SR (and an ImagingStudy) for PNG/JPEG studies, with generated UIDs. @default false */
  readonly structuredReportForImages?: boolean;
}

/** Where a revision's documents are; `srKey` only when an SR was written. */
export interface ReportRevisionKeys {
  readonly fhirKey: string;
  readonly htmlKey: string;
  readonly bundleKey: string;
  readonly srKey?: string;
  /** SOP Instance UID of the SR. */
  readonly srSopInstanceUid?: string;
}

/** Every revision has its own prefix, so earlier versions and revisions are never overwritten. */
export function reportPrefix(studyKey: string, version: number, revision = 1): string {
  return `${studyPrefix(studyKey)}reports/v${version}/r${revision}/`;
}

export function reportKeys(studyKey: string, version: number, revision = 1): { fhirKey: string; htmlKey: string } {
  const prefix = reportPrefix(studyKey, version, revision);
  return { fhirKey: `${prefix}diagnostic-report.json`, htmlKey: `${prefix}report.html` };
}

/** The FHIR R4 Bundle (report, observations, imaging study, devices, provenance) beside the DiagnosticReport. */
export function bundleKey(studyKey: string, version: number, revision = 1): string {
  return `${reportPrefix(studyKey, version, revision)}fhir-bundle.json`;
}

/** The DICOM SR (TID 1500 measurement report) beside the FHIR output. */
export function structuredReportKey(studyKey: string, version: number, revision = 1): string {
  return `${reportPrefix(studyKey, version, revision)}measurement-report.dcm`;
}

/** The de-identified image list of a study version; empty when there is no manifest to read. */
export async function loadManifest(s3: S3Client, manifest: S3ObjectReference | undefined): Promise<ImageReference[]> {
  if (manifest === undefined) return [];
  return await getJson<ImageReference[]>(s3, manifest) ?? [];
}

/** Thumbnails of the images the findings name (then the first ones); an image whose PNG is gone is left out. */
export async function loadPreviews(deps: ReportWriterDeps, input: ReportInput, images: readonly ImageReference[]): Promise<ReportPreview[]> {
  const previews: ReportPreview[] = [];
  for (const image of previewImagesOf(input.results, images)) {
    const png = await getObjectBytes(deps.s3, { bucket: image.bucket, key: image.analysisKey });
    if (png === undefined) {
      deps.log.warn('A preview image of the report is missing', { studyKey: input.studyKey, version: input.version });
      continue;
    }
    previews.push(await reportPreviewOf(image, png));
  }
  return previews;
}

export interface ReportRevisionSources {
  /** The study version's manifest. @default - none: no ImagingStudy, no SR, no study summary */
  readonly manifest?: S3ObjectReference;
  /** The study's newest earlier SR (from its REPORT items), which this revision's SR replaces. @default - none */
  readonly previousSr?: SrPredecessor;
}

/** Builds and writes every document of the revision `input.revision` (default 1); returns their keys. */
export async function writeReportRevision(
  deps: ReportWriterDeps,
  input: ReportInput,
  sources: ReportRevisionSources = {},
): Promise<ReportRevisionKeys> {
  const revision = input.revision ?? 1;
  const images = await loadManifest(deps.s3, sources.manifest);
  const documents = buildReportDocuments(input, {
    images,
    previews: await loadPreviews(deps, input, images),
    structuredReportForImages: deps.structuredReportForImages,
    previousSr: sources.previousSr,
  });
  const keys = reportKeys(input.studyKey, input.version, revision);
  const fhirBundleKey = bundleKey(input.studyKey, input.version, revision);
  const srKey = documents.structuredReport === undefined ? undefined : structuredReportKey(input.studyKey, input.version, revision);
  const objects: NewObject[] = [
    { key: keys.fhirKey, body: documents.diagnosticReport, contentType: 'application/fhir+json' },
    { key: fhirBundleKey, body: documents.bundle, contentType: 'application/fhir+json' },
    { key: keys.htmlKey, body: documents.html, contentType: 'text/html; charset=utf-8' },
    ...(srKey === undefined ? [] : [{ key: srKey, body: documents.structuredReport!.bytes, contentType: 'application/dicom' }]),
  ];
  await putObjects(deps.s3, deps.reportsBucket, objects);
  return {
    ...keys,
    bundleKey: fhirBundleKey,
    ...(srKey === undefined ? {} : { srKey, srSopInstanceUid: documents.structuredReport!.sopInstanceUid }),
  };
}
