/**
 * Looks up Table E.1-1 (./profile-table.ts) and resolves each row to the one
 * action this package performs.
 *
 * Compound actions are resolved to the strictest choice that leaks nothing and
 * still leaves the object valid without knowing its IOD (an attribute of Type 1
 * or 2 must stay present):
 * - X/Z -> Z (present, empty: as private as removal, valid for Type 2)
 * - X/D, Z/D, X/Z/D -> D (a dummy of the right VR, valid even for Type 1)
 * - X/Z/U* -> U (the sequence stays; the profile is applied to its items, so
 *   their UIDs are remapped and everything else follows the table)
 * - C (clean) -> Z: no cleaning is implemented, so the value is emptied.
 * For a sequence, Z and D both mean "no items" (a dummy item would be invented content).
 */
import { isPrivateTag } from './dataset';
import { PROFILE_ROWS, ProfileAction, ProfileRow, RetainOption } from './profile-table';

/** What happens to one attribute. */
export type ResolvedAction = 'D' | 'Z' | 'X' | 'K' | 'U';

/** Retain options in effect (the columns of Table E.1-1 this package supports). */
export interface RetainOptions {
  readonly retainLongitudinalTemporalInformation: boolean;
  readonly retainPatientCharacteristics: boolean;
  readonly retainDeviceIdentity: boolean;
  readonly retainInstitutionIdentity: boolean;
}

const COMPOUND: Readonly<Record<ProfileAction, ResolvedAction>> = {
  'D': 'D',
  'Z': 'Z',
  'X': 'X',
  'K': 'K',
  'C': 'Z',
  'U': 'U',
  'X/Z': 'Z',
  'X/D': 'D',
  'Z/D': 'D',
  'X/Z/D': 'D',
  'X/Z/U*': 'U',
};

const EXACT = new Map<number, ProfileRow>();
const MASKED: { readonly pattern: RegExp; readonly row: ProfileRow }[] = [];
for (const row of PROFILE_ROWS) {
  if (row.tag.includes('x')) {
    // 'x' nibbles are wildcards.
    MASKED.push({ pattern: new RegExp(`^${row.tag.replace(/x/g, '[0-9A-F]')}$`), row });
  } else {
    EXACT.set(parseInt(row.tag, 16), row);
  }
}

/** The Table E.1-1 row of a tag (ggggeeee as a number), if it has one. */
export function profileRow(tag: number): ProfileRow | undefined {
  const exact = EXACT.get(tag);
  if (exact) return exact;
  // Repeating groups (50xx, 60xx) are even groups only: odd ones are private.
  if (isPrivateTag(tag)) return undefined;
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return MASKED.find((m) => m.pattern.test(hex))?.row;
}

function retained(option: RetainOption | undefined, retain: RetainOptions): boolean {
  switch (option) {
    case 'L': return retain.retainLongitudinalTemporalInformation;
    case 'P': return retain.retainPatientCharacteristics;
    case 'D': return retain.retainDeviceIdentity;
    case 'I': return retain.retainInstitutionIdentity;
    default: return false;
  }
}

/** The action for a row under the retain options in effect. */
export function resolveAction(row: ProfileRow, retain: RetainOptions): ResolvedAction {
  return retained(row.retain, retain) ? 'K' : COMPOUND[row.action];
}
