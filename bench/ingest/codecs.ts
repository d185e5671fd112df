/**
 * The codec part of the benchmark: a 2048x2048 radiograph (12 bits stored in
 * 16) as JPEG 2000 lossless and as JPEG-LS lossless, decoded by our decoders
 * (the codec packages' WebAssembly builds, in process) and by native decoders
 * (OpenJPEG's opj_decompress, CharLS inside dcmtk's dcmdjpls and GDCM's
 * gdcmconv), in the same rounds.
 *
 * A native decoder runs as a whole process: start-up, reading the file and
 * writing the decoded output are in its time. That fixed part is measured on a
 * 16x16 image of the same kind, in the same round, and subtracted; both the
 * raw and the subtracted ratio are printed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { radiographPixels } from './images';
import { makeDicom, seededRandom } from '../../test/fixtures/images';

export const CODEC_IMAGE_SIZE = 2048;
/** The image the native decoders' fixed cost is measured on. */
export const TINY_IMAGE_SIZE = 16;

export type CodecName = 'j2k' | 'jls';

export interface CodecImage {
  readonly codec: CodecName;
  readonly label: string;
  /** The DICOM file (encapsulated, one fragment). */
  readonly dcm: string;
  /** The same file at TINY_IMAGE_SIZE. */
  readonly tinyDcm: string;
  /** JPEG 2000 only: the bare codestream, for opj_decompress. */
  readonly codestream?: string;
  readonly tinyCodestream?: string;
  readonly fileBytes: number;
}

/** A native decoder of one codec: the command for an input file and a scratch output file. */
export interface NativeDecoder {
  readonly name: string;
  readonly codec: CodecName;
  /** What it runs on: the DICOM file or the bare codestream. */
  readonly input: 'dcm' | 'codestream';
  readonly program: string;
  /** Debian package that provides the program. */
  readonly aptPackage: string;
  readonly args: (input: string, output: string) => string[];
}

export const NATIVE_DECODERS: readonly NativeDecoder[] = [
  {
    name: 'opj_decompress',
    codec: 'j2k',
    input: 'codestream',
    program: 'opj_decompress',
    aptPackage: 'libopenjp2-tools',
    // One thread, as our WebAssembly decoder runs.
    args: (input, output) => ['-quiet', '-threads', '1', '-i', input, '-o', output],
  },
  { name: 'gdcmconv --raw (OpenJPEG)', codec: 'j2k', input: 'dcm', program: 'gdcmconv', aptPackage: 'libgdcm-tools', args: (i, o) => ['--raw', i, o] },
  { name: 'dcmdjpls (dcmtk, CharLS)', codec: 'jls', input: 'dcm', program: 'dcmdjpls', aptPackage: 'dcmtk', args: (i, o) => [i, o] },
  { name: 'gdcmconv --raw (CharLS)', codec: 'jls', input: 'dcm', program: 'gdcmconv', aptPackage: 'libgdcm-tools', args: (i, o) => ['--raw', i, o] },
];

/** Output file name for a decoder: opj_decompress picks the format from the extension. */
export function nativeOutput(workDir: string, decoder: NativeDecoder): string {
  return path.join(workDir, `${decoder.program}-${decoder.codec}.${decoder.input === 'codestream' ? 'raw' : 'dcm'}`);
}

const onPath = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

/** The decoders installed here, and one line naming the missing ones and their packages (undefined when none is missing). */
export function availableDecoders(): { available: NativeDecoder[]; missing?: string } {
  const available = NATIVE_DECODERS.filter((d) => onPath(d.program));
  const missing = NATIVE_DECODERS.filter((d) => !available.includes(d));
  if (missing.length === 0) return { available };
  const packages = [...new Set(missing.map((d) => d.aptPackage))];
  return {
    available,
    missing: `native decoders missing, their rows left out: ${[...new Set(missing.map((d) => d.program))].join(', ')} `
      + `(Debian: apt-get install ${packages.join(' ')})`,
  };
}

const TRANSFER_SYNTAX: Record<CodecName, 'jpeg2000Lossless' | 'jpegLs'> = { j2k: 'jpeg2000Lossless', jls: 'jpegLs' };
const LABEL: Record<CodecName, string> = { j2k: 'JPEG 2000 lossless', jls: 'JPEG-LS lossless' };

function codecDicom(codec: CodecName, size: number): Buffer {
  return makeDicom({
    rows: size,
    columns: size,
    modality: 'DX',
    bitsAllocated: 16,
    bitsStored: 12,
    transferSyntax: TRANSFER_SYNTAX[codec],
    pixelFn: radiographPixels(size, seededRandom(size)),
  });
}

/**
 * The JPEG 2000 codestream of a one-fragment file: the bytes of the item that
 * starts with SOC + SIZ (FF4F FF51), its length from the item header before it.
 */
export function soleCodestream(dicom: Uint8Array): Uint8Array {
  const bytes = Buffer.from(dicom.buffer, dicom.byteOffset, dicom.byteLength);
  const start = bytes.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  if (start < 8 || bytes.readUInt32LE(start - 8) !== 0xe000fffe) throw new Error('no JPEG 2000 fragment found');
  return bytes.subarray(start, start + bytes.readUInt32LE(start - 4));
}

/** Writes both codec images (and their tiny twins) into workDir. */
export function writeCodecImages(workDir: string): CodecImage[] {
  return (['j2k', 'jls'] as const).map((codec) => {
    const file = (size: number, ext: string) => path.join(workDir, `${codec}-${size}.${ext}`);
    const image: Record<string, unknown> = { codec, label: `${LABEL[codec]} ${CODEC_IMAGE_SIZE}x${CODEC_IMAGE_SIZE} u12` };
    for (const size of [CODEC_IMAGE_SIZE, TINY_IMAGE_SIZE]) {
      const dicom = codecDicom(codec, size);
      const tiny = size === TINY_IMAGE_SIZE;
      fs.writeFileSync(file(size, 'dcm'), dicom);
      image[tiny ? 'tinyDcm' : 'dcm'] = file(size, 'dcm');
      if (!tiny) image.fileBytes = dicom.length;
      if (codec === 'j2k') {
        fs.writeFileSync(file(size, 'j2k'), soleCodestream(dicom));
        image[tiny ? 'tinyCodestream' : 'codestream'] = file(size, 'j2k');
      }
    }
    return image as unknown as CodecImage;
  });
}
