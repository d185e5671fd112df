/**
 * Valid starting points for the ingest fuzz test: small files of every kind
 * prepareObject accepts, made by the seeded fixture generators so each run
 * mutates the same bytes.
 */
import { makeDicom, makeJpeg, makePng, MakeDicomOptions, seededRandom } from '../fixtures/images';
import { lutSequence, MODALITY_LUT_SEQUENCE, VOI_LUT_SEQUENCE } from '../fixtures/lut-sequence';

export interface BaseInput {
  readonly name: string;
  readonly bytes: Buffer;
  /** How the DICOM data set after the meta group is encoded; undefined for PNG/JPEG. */
  readonly dataSetEncoding?: 'explicitLE' | 'implicitLE' | 'explicitBE';
}

/** Noise on a gradient: compresses like a real image, not like a flat field. */
function noisyGradient(seed: number, range: number, offset = 0): (x: number, y: number, c: number) => number {
  const random = seededRandom(seed);
  return (x, y, c) => offset + Math.floor((((x * 7 + y * 3 + c * 11) % 64) / 64) * range * 0.8 + random() * range * 0.2);
}

function dicom(name: string, options: MakeDicomOptions): BaseInput {
  const ts = options.transferSyntax ?? 'explicit';
  const dataSetEncoding = ts === 'implicit' ? 'implicitLE' : ts === 'explicitBigEndian' ? 'explicitBE' : 'explicitLE';
  return { name, bytes: makeDicom(options), dataSetEncoding };
}

export function makeBases(): BaseInput[] {
  return [
    dicom('dx-explicit-u12', { rows: 24, columns: 32, bitsStored: 12, pixelFn: noisyGradient(1, 4096) }),
    dicom('ct-implicit-s16-window', {
      rows: 20,
      columns: 24,
      transferSyntax: 'implicit',
      modality: 'CT',
      bitsStored: 16,
      pixelRepresentation: 1,
      rescale: { slope: 1, intercept: -1024 },
      window: { center: 40, width: 400 },
      pixelFn: noisyGradient(2, 3000, -1000),
    }),
    dicom('mono1-explicit-u8', { rows: 16, columns: 16, bitsAllocated: 8, photometric: 'MONOCHROME1', pixelFn: noisyGradient(3, 256) }),
    dicom('mr-bigendian-u16', { rows: 12, columns: 16, transferSyntax: 'explicitBigEndian', modality: 'MR', bitsStored: 16, pixelFn: noisyGradient(4, 60000) }),
    dicom('rgb-explicit-interleaved', { rows: 10, columns: 12, bitsAllocated: 8, photometric: 'RGB', pixelFn: noisyGradient(5, 256) }),
    dicom('rgb-implicit-planar', {
      rows: 8, columns: 10, bitsAllocated: 8, photometric: 'RGB', planarConfiguration: 1, transferSyntax: 'implicit', pixelFn: noisyGradient(6, 256),
    }),
    dicom('no-preamble', { rows: 16, columns: 16, preamble: false, pixelFn: noisyGradient(7, 4096) }),
    dicom('multiframe-implicit', { rows: 8, columns: 8, numberOfFrames: 3, transferSyntax: 'implicit', pixelFn: noisyGradient(8, 4096) }),
    dicom('study-count-burned-in', {
      rows: 8, columns: 12, numberOfStudyRelatedInstances: 4, burnedInAnnotation: 'NO', window: { center: 2000, width: 4000 }, pixelFn: noisyGradient(9, 4096),
    }),
    dicom('voi-lut-sequence', {
      rows: 12,
      columns: 16,
      bitsStored: 12,
      pixelFn: noisyGradient(15, 4096),
      extraElements: [lutSequence(VOI_LUT_SEQUENCE, { descriptor: [64, 1024, 16], data: Array.from({ length: 64 }, (_, i) => i * 1040) })],
    }),
    dicom('modality-lut-sequence-signed', {
      rows: 12,
      columns: 16,
      bitsStored: 12,
      pixelRepresentation: 1,
      pixelFn: noisyGradient(17, 2048),
      extraElements: [lutSequence(MODALITY_LUT_SEQUENCE, {
        descriptor: [256, 0x10000 - 128, 12], descriptorVr: 'SS', data: Array.from({ length: 256 }, (_, i) => (i * 16) % 4096),
      })],
    }),
    dicom('palette-segmented-implicit', {
      rows: 8,
      columns: 12,
      bitsAllocated: 8,
      photometric: 'PALETTE COLOR',
      transferSyntax: 'implicit',
      palette: { entries: 16, bits: 16 },
      pixelFn: noisyGradient(16, 16),
      omitTags: [0x00281201, 0x00281202, 0x00281203],
      // Discrete, linear and indirect segments (C.7.9.2), 16 entries each.
      extraElements: [0, 1, 2].map((c) => ({
        tag: 0x00281221 + c,
        vr: 'OW',
        words: [0, 3, 0, 1000 * (c + 1), 2000, 1, 4, 60000, 2, 2, 0, 0, 0, 2, 65535, 100 * c],
      })),
    }),
    { name: 'png-gray8', bytes: makePng(20, 16, noisyGradient(10, 256)) },
    { name: 'png-rgb8', bytes: makePng(12, 12, noisyGradient(11, 256), { channels: 3 }) },
    { name: 'png-gray16', bytes: makePng(16, 16, noisyGradient(12, 65536), { bitDepth: 16 }) },
    { name: 'png-text-chunks', bytes: makePng(8, 8, noisyGradient(13, 256), { textChunks: { Author: 'DOE^JANE' } }) },
    { name: 'jpeg-rgb', bytes: makeJpeg(16, 16, noisyGradient(14, 256)) },
    { name: 'jpeg-gray-content', bytes: makeJpeg(24, 8, (x, y) => (x * 10 + y * 3) % 256, { comments: ['MRN-0042'] }) },
  ];
}
