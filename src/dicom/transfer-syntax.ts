/** Transfer syntaxes whose pixel data this package reads without a codec. */
export const TransferSyntax = {
  IMPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2',
  EXPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2.1',
  EXPLICIT_VR_BIG_ENDIAN: '1.2.840.10008.1.2.2',
} as const;
export type SupportedTransferSyntax = (typeof TransferSyntax)[keyof typeof TransferSyntax];

const SUPPORTED: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

/** True for the uncompressed transfer syntaxes listed in `TransferSyntax`. */
export function isSupportedTransferSyntax(uid: string): uid is SupportedTransferSyntax {
  return SUPPORTED.has(uid);
}
