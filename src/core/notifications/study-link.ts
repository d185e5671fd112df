/**
 * The study link notifications carry, built from a template the user configures,
 * e.g. `https://viewer.example.org/studies/{studyKey}`. Only pseudonymous values
 * are substituted, so a link can never carry PHI.
 */

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS: readonly string[] = ['studyKey', 'version'];

export class InvalidStudyLinkTemplateError extends Error {
  constructor(problem: string) {
    super(`studyLinkTemplate: ${problem}`);
    this.name = 'InvalidStudyLinkTemplateError';
  }
}

/** Checks the template: https://, a valid URL, `{studyKey}` present, no placeholder but `{studyKey}` and `{version}`. */
export function parseStudyLinkTemplate(template: string): string {
  if (!template.startsWith('https://')) throw new InvalidStudyLinkTemplateError('the link must use https://');
  const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1]);
  const unknown = names.filter((name) => !PLACEHOLDERS.includes(name));
  if (unknown.length > 0) {
    throw new InvalidStudyLinkTemplateError(`unknown placeholder {${unknown[0]}} (use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' and ')})`);
  }
  if (!names.includes('studyKey')) throw new InvalidStudyLinkTemplateError('the link must contain {studyKey}');
  const sample = template.replace(PLACEHOLDER, 'x');
  if (/[{}\s]/.test(sample) || !URL.canParse(sample)) throw new InvalidStudyLinkTemplateError('not a valid URL');
  return template;
}

/** The link for one study version; values are URI-encoded. */
export function renderStudyLink(template: string, values: { readonly studyKey: string; readonly version?: number }): string {
  return parseStudyLinkTemplate(template).replace(PLACEHOLDER, (_, name: string) =>
    encodeURIComponent(name === 'studyKey' ? values.studyKey : String(values.version ?? '')));
}
