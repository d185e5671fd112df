/**
 * DICOM files with the pixel formats makeDicom does not write itself: 32-bit
 * integer words, Float / Double Float Pixel Data, and 1-bit samples packed
 * across frames. The attributes and the Pixel Data element are given to
 * makeDicom as extra elements, so the rest of the file is the usual fixture;
 * RLE versions are made from these by dcmtk's dcmcrle (an independent encoder).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExtraElement, makeDicom, MakeDicomOptions } from '../../fixtures/images';

export interface PixelFormatImage {
  readonly rows: number;
  readonly columns: number;
  /** @default 1 */
  readonly frames?: number;
  /** 'int32' / 'uint32': BitsAllocated 32 in (7FE0,0010); 'float' / 'double': (7FE0,0008) / (7FE0,0009); 'bit': BitsAllocated 1. */
  readonly format: 'int32' | 'uint32' | 'float' | 'double' | 'bit';
  /** @default 'MONOCHROME2' */
  readonly photometric?: string;
  /** Sample `sample` of pixel (x, y) in frame `frame`. */
  readonly value: (x: number, y: number, sample: number, frame: number) => number;
  /** @default 'explicit' */
  readonly transferSyntax?: 'explicit' | 'implicit' | 'explicitBigEndian';
  readonly window?: { readonly center: number; readonly width: number };
  readonly rescale?: { readonly slope: number; readonly intercept: number };
  /** @default 0 */
  readonly planarConfiguration?: 0 | 1;
}

const TAG = { BITS_ALLOCATED: 0x00280100, BITS_STORED: 0x00280101, HIGH_BIT: 0x00280102, PIXEL_REPRESENTATION: 0x00280103 };

/** Every sample in file order (frame, then pixel, then sample; planar when asked). */
export function sampleValues(image: PixelFormatImage): number[] {
  const samples = image.photometric === 'RGB' ? 3 : 1;
  const planar = samples === 3 && image.planarConfiguration === 1;
  const out: number[] = [];
  for (let f = 0; f < (image.frames ?? 1); f++) {
    if (planar) {
      for (let s = 0; s < 3; s++) for (let y = 0; y < image.rows; y++) for (let x = 0; x < image.columns; x++) out.push(image.value(x, y, s, f));
    } else {
      for (let y = 0; y < image.rows; y++) {
        for (let x = 0; x < image.columns; x++) for (let s = 0; s < samples; s++) out.push(image.value(x, y, s, f));
      }
    }
  }
  return out;
}

function pixelBytes(image: PixelFormatImage, littleEndian: boolean): Uint8Array {
  const values = sampleValues(image);
  if (image.format === 'bit') {
    // Packed across frames, least significant bit first, padded to an even length at the very end only;
    // big endian files get OW, whose 16-bit words are byte swapped.
    const out = new Uint8Array(Math.ceil(values.length / 16) * 2);
    values.forEach((v, i) => {
      if (v) out[littleEndian ? i >> 3 : (i >> 3) ^ 1] |= 1 << (i % 8); // eslint-disable-line no-bitwise
    });
    return out;
  }
  const size = image.format === 'double' ? 8 : 4;
  const float = image.format === 'float' || image.format === 'double';
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (image.format === 'int32') view.setInt32(i * 4, v, true);
    else if (image.format === 'uint32') view.setUint32(i * 4, v, true);
    else if (image.format === 'float') view.setFloat32(i * 4, v, littleEndian);
    else view.setFloat64(i * 8, v, littleEndian);
  });
  // Big endian integer Pixel Data is OW: the little endian cells with each 16-bit word swapped; OF and OD swap whole values.
  if (!littleEndian && !float) for (let i = 0; i < out.length; i += 2) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  return out;
}

function us(tag: number, value: number, littleEndian: boolean): ExtraElement {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, littleEndian);
  return { tag, vr: 'US', bytes };
}

/** The image as a DICOM Part 10 file. */
export function makePixelFormatDicom(image: PixelFormatImage): Buffer {
  const littleEndian = image.transferSyntax !== 'explicitBigEndian';
  const bits = image.format === 'bit' ? 1 : image.format === 'double' ? 64 : 32;
  const float = image.format === 'float' || image.format === 'double';
  const pixelTag = image.format === 'float' ? 0x7fe00008 : image.format === 'double' ? 0x7fe00009 : 0x7fe00010;
  const pixelVr = image.format === 'float' ? 'OF' : image.format === 'double' ? 'OD' : image.format === 'bit' && littleEndian ? 'OB' : 'OW';
  const extraElements: ExtraElement[] = [
    us(TAG.BITS_ALLOCATED, bits, littleEndian),
    us(TAG.BITS_STORED, bits, littleEndian),
    us(TAG.HIGH_BIT, bits - 1, littleEndian),
    us(TAG.PIXEL_REPRESENTATION, image.format === 'int32' ? 1 : 0, littleEndian),
    { tag: pixelTag, vr: pixelVr, bytes: pixelBytes(image, littleEndian) },
  ];
  const options: MakeDicomOptions = {
    rows: image.rows,
    columns: image.columns,
    photometric: image.photometric ?? 'MONOCHROME2',
    planarConfiguration: image.planarConfiguration,
    numberOfFrames: image.frames,
    transferSyntax: image.transferSyntax ?? 'explicit',
    window: image.window,
    rescale: image.rescale,
    burnedInAnnotation: 'NO',
    modality: image.format === 'bit' ? 'SEG' : 'RTDOSE',
    omitPixelData: true,
    extraElements,
    // The Floating Point Image Pixel module has no BitsStored, HighBit or PixelRepresentation (PS3.3 C.7.6.24).
    omitTags: float ? [TAG.BITS_STORED, TAG.HIGH_BIT, TAG.PIXEL_REPRESENTATION] : [],
  };
  return makeDicom(options);
}

/** `file` re-encoded by dcmtk's dcmcrle as RLE Lossless. */
export function rleWithDcmtk(file: Uint8Array): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcmcrle-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.dcm'), file);
    execFileSync('dcmcrle', [path.join(dir, 'in.dcm'), path.join(dir, 'out.dcm')], { stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'out.dcm'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
