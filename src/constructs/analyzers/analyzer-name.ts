/**
 * Analyzer names end up in table sort keys (`ANALYSIS#<name>#<run>`) and in
 * state names, so they are restricted to a safe alphabet and length.
 */
const ANALYZER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function assertValidAnalyzerName(name: string): void {
  if (!ANALYZER_NAME.test(name)) {
    throw new Error(
      `Analyzer name '${name}' is invalid: use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit.`,
    );
  }
}
