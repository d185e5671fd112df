/**
 * Every supported transfer syntax, end to end: frames encoded at generation
 * time (test/fixtures/encoders), parsed, decoded and compared with the
 * original samples — exactly for lossless syntaxes.
 */
import { IMAGE_KINDS, maxDifference, storedValues } from './support';
import { parseDicom } from '../../../src/core/dicom/parse';
import { frameWords, LOSSLESS_SYNTAXES, makeDicom, MakeDicomOptions, TransferSyntaxUid } from '../../fixtures/images';

type SyntaxName = keyof typeof TransferSyntaxUid;

/** Which image kinds each syntax is exercised with (JPEG baseline is 8-bit only; extended is 8-bit or 12-bit gray). */
const MATRIX: ReadonlyArray<[SyntaxName, readonly string[]]> = [
  ['implicit', Object.keys(IMAGE_KINDS)],
  ['explicit', Object.keys(IMAGE_KINDS)],
  ['explicitBigEndian', Object.keys(IMAGE_KINDS)],
  ['deflated', Object.keys(IMAGE_KINDS)],
  ['rle', Object.keys(IMAGE_KINDS)],
  ['jpegLossless', Object.keys(IMAGE_KINDS)],
  ['jpegLosslessSv1', Object.keys(IMAGE_KINDS)],
  ['jpegLs', Object.keys(IMAGE_KINDS)],
  ['jpegLsNearLossless', Object.keys(IMAGE_KINDS)],
  ['jpeg2000Lossless', Object.keys(IMAGE_KINDS)],
  ['jpeg2000', Object.keys(IMAGE_KINDS)],
  ['htj2kLossless', Object.keys(IMAGE_KINDS)],
  ['htj2kLosslessRpcl', Object.keys(IMAGE_KINDS)],
  ['htj2k', Object.keys(IMAGE_KINDS)],
  ['jpegBaseline', ['gray 8-bit', 'RGB 8-bit']],
  ['jpegExtended', ['gray 8-bit', 'gray 12-bit', 'RGB 8-bit']],
];

const NATIVE: readonly string[] = [
  TransferSyntaxUid.implicit, TransferSyntaxUid.explicit, TransferSyntaxUid.explicitBigEndian, TransferSyntaxUid.deflated,
];

/** Largest error allowed per lossy syntax, as a fraction of the sample range. */
function tolerance(syntax: SyntaxName, bitsStored: number): number {
  if (syntax === 'jpegLsNearLossless') return 2; // NEAR = 2: a hard bound
  return Math.ceil(2 ** bitsStored * 0.08);
}

const cases = MATRIX.flatMap(([syntax, kinds]) => kinds.map((kind) => [syntax, kind] as const));

describe.each(cases)('%s, %s', (syntax, kind) => {
  const options: MakeDicomOptions = { ...IMAGE_KINDS[kind], transferSyntax: syntax };
  const uid = TransferSyntaxUid[syntax];
  const lossless = NATIVE.includes(uid) || LOSSLESS_SYNTAXES.includes(uid);

  test(lossless ? 'decodes to exactly the original samples' : 'decodes within the lossy tolerance', () => {
    const parsed = parseDicom(makeDicom(options));
    expect(parsed.transferSyntaxUid).toBe(uid);
    const signed = parsed.pixelRepresentation === 1;
    const frame = parsed.decodeFrame(0);
    const decoded = storedValues(frame.samples, parsed.bitsStored, signed);
    const original = storedValues(frameWords(options, 0), parsed.bitsStored, signed);
    expect(decoded.length).toBe(original.length);
    if (lossless) {
      expect(maxDifference(decoded, original)).toBe(0);
    } else if (syntax === 'jpegBaseline' || syntax === 'jpegExtended') {
      // DCT: judge the mean error (edges ring), and the output is RGB for colour.
      let sum = 0;
      for (let i = 0; i < decoded.length; i++) sum += Math.abs(decoded[i] - original[i]);
      expect(sum / decoded.length).toBeLessThan(6);
    } else {
      expect(maxDifference(decoded, original)).toBeLessThanOrEqual(tolerance(syntax, parsed.bitsStored));
    }
  });
});
