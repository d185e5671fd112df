/** The bounded summary of a study version that every analyzer and step sees in the state. */
import { ANALYZER_CONTRACT_VERSION, ImageReference, S3ObjectReference, StudyContext } from '../../shared/analyzer-result';

const distinct = (values: ReadonlyArray<string | undefined>): string[] =>
  [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))].sort();

export function studyContextOf(
  study: { readonly studyKey: string; readonly version: number; readonly requiresReview: boolean },
  images: readonly ImageReference[],
  manifest: S3ObjectReference,
): StudyContext {
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    studyKey: study.studyKey,
    version: study.version,
    imageCount: images.length,
    seriesCount: new Set(images.map((i) => i.seriesKey ?? i.imageRef.split('/')[0])).size,
    modalities: distinct(images.map((i) => i.modality)),
    bodyParts: distinct(images.map((i) => i.bodyPart)),
    sourceKinds: distinct(images.map((i) => i.sourceKind)),
    requiresReview: study.requiresReview,
    manifest,
  };
}
