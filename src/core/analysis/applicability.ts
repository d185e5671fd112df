/** Whether an analyzer applies to a study: the images that meet every criterion of its rule. */
import { AnalyzerApplicability, SkipReason, SkipReasonValue } from '../../shared/analysis-plan';
import { ImageReference } from '../../shared/analyzer-result';

export type Applicability =
  | { readonly applies: true; readonly images: ImageReference[] }
  | { readonly applies: false; readonly skipReason: SkipReasonValue };

interface Criterion {
  readonly reason: SkipReasonValue;
  readonly passes: (image: ImageReference) => boolean;
}

const upper = (values: readonly string[]) => new Set(values.map((v) => v.toUpperCase()));

/** The rule's criteria, in the order their reasons are reported. */
function criteriaOf(rule: AnalyzerApplicability): Criterion[] {
  const criteria: Criterion[] = [];
  if (rule.sourceKinds !== undefined) {
    const kinds = new Set<string>(rule.sourceKinds);
    criteria.push({ reason: SkipReason.SOURCE_KIND_NOT_APPLICABLE, passes: (i) => i.sourceKind !== undefined && kinds.has(i.sourceKind) });
  }
  if (rule.modalities !== undefined) {
    const modalities = upper(rule.modalities);
    criteria.push({ reason: SkipReason.MODALITY_NOT_APPLICABLE, passes: (i) => modalities.has((i.modality ?? '').toUpperCase()) });
  }
  if (rule.bodyParts !== undefined) {
    const parts = upper(rule.bodyParts);
    criteria.push({ reason: SkipReason.BODY_PART_NOT_APPLICABLE, passes: (i) => parts.has((i.bodyPart ?? '').toUpperCase()) });
  }
  if (rule.sopClassUids !== undefined) {
    const classes = new Set(rule.sopClassUids);
    criteria.push({ reason: SkipReason.SOP_CLASS_NOT_APPLICABLE, passes: (i) => i.sopClassUid !== undefined && classes.has(i.sopClassUid) });
  }
  if (rule.minImageWidth !== undefined || rule.minImageHeight !== undefined) {
    const minWidth = rule.minImageWidth ?? 0;
    const minHeight = rule.minImageHeight ?? 0;
    criteria.push({ reason: SkipReason.IMAGE_TOO_SMALL, passes: (i) => i.width >= minWidth && i.height >= minHeight });
  }
  return criteria;
}

/**
 * Filters the study's images through the rule, one criterion at a time; the
 * first criterion that leaves no image names the skip reason.
 */
export function applicableImages(images: readonly ImageReference[], rule: AnalyzerApplicability | undefined): Applicability {
  let remaining = [...images];
  for (const criterion of criteriaOf(rule ?? {})) {
    remaining = remaining.filter(criterion.passes);
    if (remaining.length === 0) return { applies: false, skipReason: criterion.reason };
  }
  return { applies: true, images: remaining };
}
