import { ImageReference, ImageSourceKind } from '../../../src/shared/analyzer-result';

/** A de-identified image reference of series `series`, at `instanceNumber` when given. */
export function imageRef(seriesKey: string, instance: string, extra: Partial<ImageReference> = {}): ImageReference {
  return {
    imageRef: `${seriesKey}/${instance}`,
    bucket: 'derived',
    previewKey: `studies/k/${seriesKey}/${instance}/preview.png`,
    analysisKey: `studies/k/${seriesKey}/${instance}/analysis.png`,
    width: 512,
    height: 512,
    modality: 'CT',
    sourceKind: ImageSourceKind.DICOM,
    seriesKey,
    ...extra,
  };
}

/** `count` images of one series, Instance Numbers 1..count. */
export function series(name: string, count: number, extra: Partial<ImageReference> = {}): ImageReference[] {
  return Array.from({ length: count }, (_, i) => imageRef(name, `i${String(i + 1).padStart(4, '0')}`, { instanceNumber: i + 1, ...extra }));
}
