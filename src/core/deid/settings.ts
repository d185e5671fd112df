/**
 * The de-identification options (public, jsii) resolved into the settings the
 * domain code uses, and their round trip through the DEIDENTIFICATION
 * environment variable (JSON written by the construct, read by the handler).
 */
import { isPrivateTag } from './dataset';
import { RetainOptions } from './profile';
import {
  BurnedInAnnotationPolicy,
  DEFAULT_BURNED_IN_ANNOTATION_MODALITIES,
  DeidentificationOptions,
} from '../../shared/deidentification';

export interface DeidentificationSettings extends RetainOptions {
  /** Private tags (0xggggeeee, odd group) to keep. */
  readonly privateTagSafeList: ReadonlySet<number>;
  readonly burnedInAnnotationPolicy: BurnedInAnnotationPolicy;
  readonly burnedInAnnotationModalities: ReadonlySet<string>;
}

/** Settings rejected at synth time (construct) or cold start (handler); messages name the problem, not PHI. */
export class DeidentificationSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeidentificationSettingsError';
  }
}

const POLICIES: ReadonlySet<string> = new Set(Object.values(BurnedInAnnotationPolicy));

/** `ggggeeee`, `gggg,eeee` or `(gggg,eeee)` -> 0xggggeeee; undefined when malformed. */
export function parseTag(text: string): number | undefined {
  const match = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(text.trim());
  return match ? parseInt(match[1] + match[2], 16) : undefined;
}

/** Resolves options to settings with every default applied; throws on an invalid option. */
export function resolveDeidentificationSettings(options: DeidentificationOptions = {}): DeidentificationSettings {
  const safeList = new Set<number>();
  for (const entry of options.privateTagSafeList ?? []) {
    const tag = parseTag(entry);
    if (tag === undefined || !isPrivateTag(tag)) {
      throw new DeidentificationSettingsError(`privateTagSafeList entry '${entry}' is not a private tag (ggggeeee with an odd group)`);
    }
    safeList.add(tag);
  }
  const policy = options.burnedInAnnotationPolicy ?? BurnedInAnnotationPolicy.QUARANTINE;
  if (!POLICIES.has(policy)) throw new DeidentificationSettingsError('burnedInAnnotationPolicy is not one of QUARANTINE, ALLOW, FLAG_FOR_REVIEW');
  return {
    retainLongitudinalTemporalInformation: options.retainLongitudinalTemporalInformation === true,
    retainPatientCharacteristics: options.retainPatientCharacteristics === true,
    retainDeviceIdentity: options.retainDeviceIdentity === true,
    retainInstitutionIdentity: options.retainInstitutionIdentity === true,
    privateTagSafeList: safeList,
    burnedInAnnotationPolicy: policy,
    burnedInAnnotationModalities: new Set((options.burnedInAnnotationModalities ?? DEFAULT_BURNED_IN_ANNOTATION_MODALITIES)
      .map((modality) => modality.trim().toUpperCase())),
  };
}

/** The JSON the construct puts into DEIDENTIFICATION (validated, defaults spelled out). */
export function deidentificationSettingsJson(options: DeidentificationOptions = {}): string {
  const settings = resolveDeidentificationSettings(options);
  return JSON.stringify({
    retainLongitudinalTemporalInformation: settings.retainLongitudinalTemporalInformation,
    retainPatientCharacteristics: settings.retainPatientCharacteristics,
    retainDeviceIdentity: settings.retainDeviceIdentity,
    retainInstitutionIdentity: settings.retainInstitutionIdentity,
    privateTagSafeList: [...settings.privateTagSafeList].map((tag) => tag.toString(16).toUpperCase().padStart(8, '0')),
    burnedInAnnotationPolicy: settings.burnedInAnnotationPolicy,
    burnedInAnnotationModalities: [...settings.burnedInAnnotationModalities],
  });
}

/** Reads DEIDENTIFICATION; unset means every default. */
export function deidentificationSettingsFromJson(json: string | undefined): DeidentificationSettings {
  if (json === undefined || json === '') return resolveDeidentificationSettings();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new DeidentificationSettingsError('DEIDENTIFICATION is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DeidentificationSettingsError('DEIDENTIFICATION is not a JSON object');
  }
  const value = parsed as Record<string, unknown>;
  return resolveDeidentificationSettings({
    retainLongitudinalTemporalInformation: flag(value, 'retainLongitudinalTemporalInformation'),
    retainPatientCharacteristics: flag(value, 'retainPatientCharacteristics'),
    retainDeviceIdentity: flag(value, 'retainDeviceIdentity'),
    retainInstitutionIdentity: flag(value, 'retainInstitutionIdentity'),
    privateTagSafeList: strings(value, 'privateTagSafeList'),
    burnedInAnnotationPolicy: value.burnedInAnnotationPolicy as BurnedInAnnotationPolicy | undefined,
    burnedInAnnotationModalities: strings(value, 'burnedInAnnotationModalities'),
  });
}

function flag(value: Record<string, unknown>, name: string): boolean | undefined {
  const field = value[name];
  if (field === undefined || typeof field === 'boolean') return field;
  throw new DeidentificationSettingsError(`DEIDENTIFICATION.${name} is not a boolean`);
}

function strings(value: Record<string, unknown>, name: string): string[] | undefined {
  const field = value[name];
  if (field === undefined) return undefined;
  if (Array.isArray(field) && field.every((entry) => typeof entry === 'string')) return field as string[];
  throw new DeidentificationSettingsError(`DEIDENTIFICATION.${name} is not a list of strings`);
}
