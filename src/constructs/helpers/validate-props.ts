/**
 * Fail fast on contradictory props: `existingX` and `xProps` (or two ways to
 * say the same thing) must not both be given.
 */
export function assertNotBoth(constructName: string, first: [string, unknown], second: [string, unknown]): void {
  if (first[1] !== undefined && second[1] !== undefined) {
    throw new Error(
      `${constructName}: pass either '${first[0]}' or '${second[0]}', not both ('${first[0]}' brings its own resource, '${second[0]}' configures the one this construct would create).`,
    );
  }
}
