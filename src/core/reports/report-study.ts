/**
 * The study as the reports describe it, read from a study version's
 * de-identified image list (the manifest): the UIDs the FHIR ImagingStudy and
 * the SR reference, the pixel sizes SR regions are placed on, the HTML summary
 * and which images the HTML report shows. Nothing here reads an original UID:
 * DICOM images carry the UIDs of their de-identified copy, and PNG/JPEG images
 * (which have none) get UIDs derived from their pseudonymous keys when asked.
 */
import { derivedUid, SrImageSize } from './dicom-sr';
import { isDicomUid, ReportSeries, ReportStudy } from './fhir-bundle';
import { HtmlReportContext } from './html';
import { AnalyzerResult, ImageReference } from '../../shared/analyzer-result';

/** SOP Class of the PNG/JPEG images once given UIDs: Secondary Capture Image Storage. */
export const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';
/** Images the HTML report shows at most. */
export const MAX_REPORT_PREVIEWS = 4;
const OTHER_MODALITY = 'OT';

export interface ReportStudyOptions {
  /**
   * Give images without DICOM UIDs (PNG/JPEG) UIDs under 2.25 derived from the
   * pseudonymous study, series and image keys, so a re-run gives the same UIDs.
   * @default false - such images are not in the report study
   */
  readonly generateImageUids?: boolean;
}

/** The study UID a PNG/JPEG study gets: the same pseudonymous study key always gives the same UID. */
export function generatedStudyUid(studyKey: string): string {
  return derivedUid('cdk-medical-imaging-pipeline', 'study', studyKey);
}

interface Uids { readonly study: string; readonly series: string; readonly sop: string; readonly sopClass: string }

function uidsOf(studyKey: string, image: ImageReference, options: ReportStudyOptions): Uids | undefined {
  if (image.dicomUids !== undefined && image.sopClassUid !== undefined) {
    const { studyInstanceUid, seriesInstanceUid, sopInstanceUid } = image.dicomUids;
    // A file that lacked a UID (or carried a malformed one) is left out rather than failing every report of its study.
    const uids = [studyInstanceUid, seriesInstanceUid, sopInstanceUid, image.sopClassUid];
    if (!uids.every(isDicomUid)) return undefined;
    return { study: studyInstanceUid, series: seriesInstanceUid, sop: sopInstanceUid, sopClass: image.sopClassUid };
  }
  if (image.dicomKey !== undefined || options.generateImageUids !== true) return undefined;
  const seriesKey = image.seriesKey ?? image.imageRef.split('/')[0];
  return {
    study: generatedStudyUid(studyKey),
    series: derivedUid('cdk-medical-imaging-pipeline', 'series', studyKey, seriesKey),
    sop: derivedUid('cdk-medical-imaging-pipeline', 'instance', studyKey, image.imageRef),
    sopClass: SECONDARY_CAPTURE_IMAGE_STORAGE,
  };
}

/**
 * The de-identified study of `images` (series in the order first seen), or
 * undefined when no image has UIDs. Images of another study UID than the
 * first one's are left out: a report describes one study.
 */
export function reportStudyOf(studyKey: string, images: readonly ImageReference[], options: ReportStudyOptions = {}): ReportStudy | undefined {
  let studyUid: string | undefined;
  const series = new Map<string, { modality: string; bodyPart?: string; instances: ReportSeries['instances'][number][] }>();
  for (const image of images) {
    const uids = uidsOf(studyKey, image, options);
    if (uids === undefined || (studyUid !== undefined && uids.study !== studyUid)) continue;
    studyUid ??= uids.study;
    let entry = series.get(uids.series);
    if (entry === undefined) {
      entry = { modality: image.modality ?? OTHER_MODALITY, bodyPart: image.bodyPart, instances: [] };
      series.set(uids.series, entry);
    }
    entry.instances.push({ sopInstanceUid: uids.sop, sopClassUid: uids.sopClass, imageRef: image.imageRef });
  }
  if (studyUid === undefined) return undefined;
  return {
    studyInstanceUid: studyUid,
    series: [...series].map(([seriesInstanceUid, s]) => ({
      seriesInstanceUid,
      modality: s.modality,
      ...(s.bodyPart === undefined ? {} : { bodyPart: s.bodyPart }),
      instances: s.instances,
    })),
  };
}

/** Pixel size of each instance of `study` (keyed by SOP Instance UID), for SR regions. */
export function imageSizesOf(study: ReportStudy, images: readonly ImageReference[]): Map<string, SrImageSize> {
  const byRef = new Map(images.map((image) => [image.imageRef, image]));
  const sizes = new Map<string, SrImageSize>();
  for (const instance of study.series.flatMap((s) => s.instances)) {
    const image = instance.imageRef === undefined ? undefined : byRef.get(instance.imageRef);
    if (image !== undefined) sizes.set(instance.sopInstanceUid, { columns: image.width, rows: image.height });
  }
  return sizes;
}

const distinct = (values: readonly (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];

/** Modality, body part and counts for the HTML summary (no previews). */
export function studySummaryOf(images: readonly ImageReference[]): HtmlReportContext {
  const modalities = distinct(images.map((i) => i.modality));
  const bodyParts = distinct(images.map((i) => i.bodyPart));
  return {
    ...(modalities.length === 0 ? {} : { modality: modalities.join(', ') }),
    ...(bodyParts.length === 0 ? {} : { bodyPart: bodyParts.join(', ') }),
    imageCount: images.length,
    seriesCount: distinct(images.map((i) => i.seriesKey ?? i.imageRef.split('/')[0])).length,
  };
}

/** The images the HTML report shows: those findings refer to first (in finding order), then the study's first images. */
export function previewImagesOf(
  results: readonly AnalyzerResult[],
  images: readonly ImageReference[],
  max: number = MAX_REPORT_PREVIEWS,
): ImageReference[] {
  const byRef = new Map(images.map((image) => [image.imageRef, image]));
  const referenced = results.flatMap((r) => (r.findings ?? []).map((f) => byRef.get(f.imageRef)));
  const chosen = new Set<ImageReference>();
  for (const image of [...referenced, ...images]) {
    if (chosen.size >= max) break;
    if (image !== undefined) chosen.add(image);
  }
  return [...chosen];
}
