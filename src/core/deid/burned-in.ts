/**
 * Burned-in annotation policy: text in the pixels (names, dates, ids) cannot be
 * removed by editing attributes, so such images are quarantined, allowed or
 * sent to review as configured.
 */
import { DeidentificationSettings } from './settings';
import { BurnedInAnnotationPolicy } from '../../shared/deidentification';

export const BurnedInDecision = {
  /** No burned-in text suspected, or the policy allows it. */
  ACCEPT: 'ACCEPT',
  /** Refuse the object (reason BURNED_IN_ANNOTATION). */
  QUARANTINE: 'QUARANTINE',
  /** Ingest it, and require a clinician's review of the study. */
  REVIEW: 'REVIEW',
} as const;
export type BurnedInDecisionValue = (typeof BurnedInDecision)[keyof typeof BurnedInDecision];

/**
 * True when (0028,0301) says YES, or the modality is one known to carry
 * burned-in text (even if the file says NO: such devices are not trusted to say so).
 */
export function burnedInAnnotationSuspected(
  burnedInAnnotation: string | undefined,
  modality: string | undefined,
  settings: Pick<DeidentificationSettings, 'burnedInAnnotationModalities'>,
): boolean {
  if (burnedInAnnotation?.trim().toUpperCase() === 'YES') return true;
  const normalized = modality?.trim().toUpperCase();
  return normalized !== undefined && settings.burnedInAnnotationModalities.has(normalized);
}

export function burnedInDecision(
  burnedInAnnotation: string | undefined,
  modality: string | undefined,
  settings: Pick<DeidentificationSettings, 'burnedInAnnotationModalities' | 'burnedInAnnotationPolicy'>,
): BurnedInDecisionValue {
  if (!burnedInAnnotationSuspected(burnedInAnnotation, modality, settings)) return BurnedInDecision.ACCEPT;
  switch (settings.burnedInAnnotationPolicy) {
    case BurnedInAnnotationPolicy.ALLOW: return BurnedInDecision.ACCEPT;
    case BurnedInAnnotationPolicy.FLAG_FOR_REVIEW: return BurnedInDecision.REVIEW;
    default: return BurnedInDecision.QUARANTINE;
  }
}
