import { EncapsulatedTransferSyntaxUid, isEncapsulatedTransferSyntax } from '../codecs/registry';

/** Transfer syntaxes whose pixel data this package reads without a codec. */
export const TransferSyntax = {
  IMPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2',
  EXPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2.1',
  /** The data set after the meta group is raw-deflated explicit VR little endian. */
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2.1.99',
  EXPLICIT_VR_BIG_ENDIAN: '1.2.840.10008.1.2.2',
} as const;
export type NativeTransferSyntax = (typeof TransferSyntax)[keyof typeof TransferSyntax];
/** Native syntaxes plus every encapsulated syntax a codec is registered for. */
export type SupportedTransferSyntax = NativeTransferSyntax | EncapsulatedTransferSyntaxUid;

const NATIVE: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

/** True for the native (uncompressed or deflated) transfer syntaxes listed in `TransferSyntax`. */
export function isNativeTransferSyntax(uid: string): uid is NativeTransferSyntax {
  return NATIVE.has(uid);
}

/** True for a transfer syntax whose pixel data can be read (natively or by a registered codec). */
export function isSupportedTransferSyntax(uid: string): uid is SupportedTransferSyntax {
  return NATIVE.has(uid) || isEncapsulatedTransferSyntax(uid);
}
