/**
 * Which decoder reads which encapsulated transfer syntax. Importing this
 * module loads no codec: each decoder requires its package on first use.
 */
import { FrameDecoder } from './frame';
import { decodeHtj2k } from './htj2k';
import { decodeJpegBaseline } from './jpeg-baseline';
import { decodeJpegExtended } from './jpeg-extended12';
import { decodeJpegLossless } from './jpeg-lossless';
import { decodeJpegLs } from './jpeg-ls';
import { decodeJpeg2000 } from './jpeg2000';
import { decodeRle } from './rle';

export const EncapsulatedTransferSyntax = {
  RLE_LOSSLESS: '1.2.840.10008.1.2.5',
  JPEG_BASELINE: '1.2.840.10008.1.2.4.50',
  JPEG_EXTENDED: '1.2.840.10008.1.2.4.51',
  JPEG_LOSSLESS: '1.2.840.10008.1.2.4.57',
  JPEG_LOSSLESS_SV1: '1.2.840.10008.1.2.4.70',
  JPEG_LS_LOSSLESS: '1.2.840.10008.1.2.4.80',
  JPEG_LS_NEAR_LOSSLESS: '1.2.840.10008.1.2.4.81',
  JPEG_2000_LOSSLESS: '1.2.840.10008.1.2.4.90',
  JPEG_2000: '1.2.840.10008.1.2.4.91',
  HTJ2K_LOSSLESS: '1.2.840.10008.1.2.4.201',
  HTJ2K_LOSSLESS_RPCL: '1.2.840.10008.1.2.4.202',
  HTJ2K: '1.2.840.10008.1.2.4.203',
} as const;
export type EncapsulatedTransferSyntaxUid = (typeof EncapsulatedTransferSyntax)[keyof typeof EncapsulatedTransferSyntax];

const T = EncapsulatedTransferSyntax;
const DECODERS: ReadonlyMap<string, FrameDecoder> = new Map<string, FrameDecoder>([
  [T.RLE_LOSSLESS, decodeRle],
  [T.JPEG_BASELINE, decodeJpegBaseline],
  [T.JPEG_EXTENDED, decodeJpegExtended], // 12-bit: jpeg-extended12.ts; 8-bit: libjpeg-turbo
  [T.JPEG_LOSSLESS, decodeJpegLossless],
  [T.JPEG_LOSSLESS_SV1, decodeJpegLossless],
  [T.JPEG_LS_LOSSLESS, decodeJpegLs],
  [T.JPEG_LS_NEAR_LOSSLESS, decodeJpegLs],
  [T.JPEG_2000_LOSSLESS, decodeJpeg2000],
  [T.JPEG_2000, decodeJpeg2000],
  [T.HTJ2K_LOSSLESS, decodeHtj2k],
  [T.HTJ2K_LOSSLESS_RPCL, decodeHtj2k],
  [T.HTJ2K, decodeHtj2k],
]);

/** The decoder for an encapsulated transfer syntax, or undefined when none is registered. */
export function frameDecoderFor(transferSyntaxUid: string): FrameDecoder | undefined {
  return DECODERS.get(transferSyntaxUid);
}

/** True for the encapsulated transfer syntaxes a decoder is registered for. */
export function isEncapsulatedTransferSyntax(uid: string): uid is EncapsulatedTransferSyntaxUid {
  return DECODERS.has(uid);
}

/** Syntaxes whose JPEG decoder returns RGB for three-component frames, whatever the file's YBR label. */
export function decodesToRgb(transferSyntaxUid: string): boolean {
  return transferSyntaxUid === T.JPEG_BASELINE || transferSyntaxUid === T.JPEG_EXTENDED;
}
