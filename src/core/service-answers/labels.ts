/** Label text from a service, made safe for a finding (printable, bounded). */

/** The longest label a finding may carry (the result contract's limit). */
export const MAX_LABEL_LENGTH = 256;

/** Control characters removed, whitespace collapsed, cut to the contract's length; undefined when nothing is left. */
export function findingLabel(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const text = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_LABEL_LENGTH).trim();
  return text === '' ? undefined : text;
}
