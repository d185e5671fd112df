/**
 * The de-identification step of the ingest: burned-in annotation policy, then
 * the Basic Application Level Confidentiality Profile on the whole object.
 */
import { IngestRejection } from './rejection';
import { DeidentifiedUids } from '../../shared/analyzer-result';
import { RejectionReason } from '../../shared/events';
import { BurnedInDecision, burnedInDecision, burnedInAnnotationSuspected } from '../deid/burned-in';
import { deidentifyPart10 } from '../deid/deidentify';
import { DeidentificationSettings, resolveDeidentificationSettings } from '../deid/settings';
import { ParsedDicom } from '../dicom/parse';

export interface DeidentifiedForIngest {
  /** The de-identified object, Part 10. */
  readonly deidentifiedDicom: Buffer;
  /** True when burned-in text is suspected; false when the file says NO (and the modality is not suspect); else undefined. */
  readonly burnedInAnnotation?: boolean;
  /** True when the policy is FLAG_FOR_REVIEW and burned-in text is suspected. */
  readonly requiresReview: boolean;
  /** The UIDs the de-identified object carries. */
  readonly dicomUids: DeidentifiedUids;
}

const DEFAULT_SETTINGS = resolveDeidentificationSettings();

/**
 * Applies the burned-in policy (QUARANTINE throws an `IngestRejection` with
 * BURNED_IN_ANNOTATION) and de-identifies `input` (Part 10 with preamble, as parsed into `dicom`).
 */
export function deidentifyForIngest(
  input: Uint8Array,
  dicom: Pick<ParsedDicom, 'burnedInAnnotation' | 'modality'>,
  key: Uint8Array,
  settings: DeidentificationSettings = DEFAULT_SETTINGS,
  maxInflatedBytes?: number,
): DeidentifiedForIngest {
  const decision = burnedInDecision(dicom.burnedInAnnotation, dicom.modality, settings);
  if (decision === BurnedInDecision.QUARANTINE) {
    throw new IngestRejection(RejectionReason.BURNED_IN_ANNOTATION, 'DICOM image may carry burned-in annotation');
  }
  const suspected = burnedInAnnotationSuspected(dicom.burnedInAnnotation, dicom.modality, settings);
  const { part10, uids } = deidentifyPart10(input, key, settings, { maxInflatedBytes });
  return {
    deidentifiedDicom: part10,
    burnedInAnnotation: suspected ? true : dicom.burnedInAnnotation?.trim().toUpperCase() === 'NO' ? false : undefined,
    requiresReview: decision === BurnedInDecision.REVIEW,
    dicomUids: uids,
  };
}
