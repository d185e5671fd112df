/**
 * Defects the fuzz test found in code its author does not own, reported to
 * the owners and not fixed yet. While listed, the main property counts them
 * instead of failing on them (so a new, different defect still fails the run),
 * and `corpus/open/<id>/*.hex` replays them as expected failures: when the fix
 * lands, that replay fails, telling whoever fixed it to move the inputs to
 * `corpus/` (regression inputs that must pass) and delete the entry here.
 */
export interface KnownDefect {
  /** Folder under corpus/open/ holding its inputs. */
  readonly id: string;
  /** Where the fix belongs. */
  readonly owner: string;
  readonly summary: string;
  /** True when a violation message is this defect. */
  readonly matches: (problem: string) => boolean;
}

export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  // dicom-meta-string-overread: fixed in src/core/dicom/parse.ts; its input is now a regression case in corpus/.
];

export function knownDefectOf(problem: string): KnownDefect | undefined {
  return KNOWN_DEFECTS.find((d) => d.matches(problem));
}
