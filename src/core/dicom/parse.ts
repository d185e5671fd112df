/**
 * DICOM Part 10 reading on top of dicom-parser: the identifiers, the image
 * pixel module, and frames on demand (native, deflated, or encapsulated and
 * decoded by a codec from src/codecs). Size bounds are checked from the
 * header before any frame is read, inflated or decoded.
 */
// dicom-parser is bundled into the Lambda asset at build time, never a consumer dependency.
import * as dicomParser from 'dicom-parser';
import { conformingPart10, DicomReadWarning } from './conforming-part10';
import { boundedInflater } from './deflate';
import { DicomRejection } from './errors';
import { encapsulatedFrame } from './fragments';
import { ModalityLut, readModalityLut, readVoiLut, VoiLut } from './lut-sequence';
import { nativeFrame, NativeLayout, nativePixelDataBytes, NativeSamples, SampleFormat } from './native-frame';
import { isStackOverflow, nestedTooDeeply } from './nesting';
import { PaletteLut, readPalette } from './palette';
import { hasDicmMagic } from './part10';
import { isNativeTransferSyntax, isSupportedTransferSyntax, SupportedTransferSyntax, TransferSyntax } from './transfer-syntax';
import { RejectionReason } from '../../shared/events';
import { decodesToRgb, EncapsulatedTransferSyntax, frameDecoderFor } from '../codecs/registry';

/** Default bound on Rows x Columns (100 megapixels). */
export const DEFAULT_MAX_DICOM_PIXELS = 100_000_000;
/** Default bound on NumberOfFrames. */
export const DEFAULT_MAX_FRAMES = 2000;
/**
 * Default bound on Rows x Columns x Frames x Samples x BytesPerSample, and on
 * an inflated deflated data set (1 GiB): a 1000-slice 512x512 16-bit
 * enhanced CT fits; a file declaring more is refused before anything is read.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 ** 30;

export interface DicomLimits {
  /** Largest Rows x Columns accepted. @default DEFAULT_MAX_DICOM_PIXELS */
  readonly maxPixels?: number;
  /** Largest NumberOfFrames accepted. @default DEFAULT_MAX_FRAMES */
  readonly maxFrames?: number;
  /** Largest decompressed pixel data (all frames) and inflated data set, in bytes. @default DEFAULT_MAX_DECOMPRESSED_BYTES */
  readonly maxDecompressedBytes?: number;
}

/** Stored pixel words (or IEEE floats, for Float and Double Float Pixel Data) of a frame; see `DecodedFrame`. */
export type DicomSamples = NativeSamples;

/** VOI LUT Function (0028,1056), PS3.3 C.11.2.1.3. */
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/**
 * A frame ready to render. Samples are colour interleaved (RGBRGB...) whatever
 * the file's Planar Configuration; 16- and 32-bit words are raw (bits above BitsStored
 * not masked, signed values not sign-extended: the renderer does both); 1-bit
 * samples arrive one byte (0 or 1) each; Float and Double Float Pixel Data as
 * Float32Array and Float64Array.
 * `photometric` is the colour model of these samples: YBR_FULL_422 arrives
 * upsampled as YBR_FULL, and JPEG-decoded colour or J2K YBR_ICT/RCT as RGB.
 * The array may share memory with the input bytes; treat it as read-only.
 */
export interface DecodedFrame {
  readonly samples: DicomSamples;
  readonly photometric: string;
}

export type { DicomReadWarning } from './conforming-part10';

export interface ParsedDicom {
  /** The transfer syntax the data set was read in (as found, when it disagrees with the meta). */
  readonly transferSyntaxUid: SupportedTransferSyntax;
  /** Non-conformances read past (empty for a conforming file). */
  readonly warnings: readonly DicomReadWarning[];
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly modality?: string;
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  /** 0 = interleaved (RGBRGB...), 1 = planar (RR..GG..BB..) in the file; decoded frames are always interleaved. */
  readonly planarConfiguration: number;
  /** 1 (bit-packed, e.g. segmentations), 8, 16 or 32 for integer Pixel Data; 32 or 64 for float. */
  readonly bitsAllocated: 1 | 8 | 16 | 32 | 64;
  /** Which Pixel Data element holds the samples: (7FE0,0010) integer, (7FE0,0008) float, (7FE0,0009) double. */
  readonly sampleFormat: SampleFormat;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 = unsigned, 1 = two's complement. */
  readonly pixelRepresentation: 0 | 1;
  readonly numberOfFrames: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** First value of (0028,1050), when present and finite. */
  readonly windowCenter?: number;
  /** First value of (0028,1051), when present and >= 1 (> 0 for LINEAR_EXACT and SIGMOID). */
  readonly windowWidth?: number;
  /**
   * MONOCHROME1/2 only: the first item of the Modality LUT Sequence (0028,3000),
   * when present and well formed. It replaces rescale slope and intercept (PS3.3
   * C.11.1 allows one or the other; should a file carry both, the table wins).
   */
  readonly modalityLut?: ModalityLut;
  /** (0028,1056); LINEAR when absent or not one of the defined terms. */
  readonly voiLutFunction: VoiLutFunction;
  /**
   * MONOCHROME1/2 only: the first item of the VOI LUT Sequence (0028,3010), when
   * present and well formed (a malformed one is left out, not refused).
   */
  readonly voiLut?: VoiLut;
  /** PALETTE COLOR only. */
  readonly palette?: PaletteLut;
  /** (0020,1208), when present and positive. */
  readonly numberOfStudyRelatedInstances?: number;
  /** (0028,0301) as written, e.g. "YES" or "NO". */
  readonly burnedInAnnotation?: string;
  /** (0018,0015) Body Part Examined as written (a CS value, e.g. "CHEST"). */
  readonly bodyPartExamined?: string;
  /** (0020,0013) Instance Number, when an integer. */
  readonly instanceNumber?: number;
  /**
   * Frame `index` (0-based), read or decoded on each call. Throws
   * `InputRejection` (TRUNCATED_DICOM, INVALID_DICOM, CORRUPT_IMAGE,
   * UNSUPPORTED_TRANSFER_SYNTAX) when it cannot be decoded.
   */
  readonly decodeFrame: (index: number) => DecodedFrame;
  /** Samples of frame 1 (`decodeFrame(0).samples`), decoded when first read. */
  readonly frame1: DicomSamples;
}

const Tag = {
  TRANSFER_SYNTAX: 'x00020010',
  SOP_CLASS_UID: 'x00080016',
  SOP_INSTANCE_UID: 'x00080018',
  MODALITY: 'x00080060',
  BODY_PART_EXAMINED: 'x00180015',
  STUDY_INSTANCE_UID: 'x0020000d',
  SERIES_INSTANCE_UID: 'x0020000e',
  INSTANCE_NUMBER: 'x00200013',
  NUMBER_OF_STUDY_RELATED_INSTANCES: 'x00201208',
  SAMPLES_PER_PIXEL: 'x00280002',
  PHOTOMETRIC_INTERPRETATION: 'x00280004',
  PLANAR_CONFIGURATION: 'x00280006',
  NUMBER_OF_FRAMES: 'x00280008',
  ROWS: 'x00280010',
  COLUMNS: 'x00280011',
  BITS_ALLOCATED: 'x00280100',
  BITS_STORED: 'x00280101',
  HIGH_BIT: 'x00280102',
  PIXEL_REPRESENTATION: 'x00280103',
  BURNED_IN_ANNOTATION: 'x00280301',
  WINDOW_CENTER: 'x00281050',
  WINDOW_WIDTH: 'x00281051',
  RESCALE_INTERCEPT: 'x00281052',
  RESCALE_SLOPE: 'x00281053',
  VOI_LUT_FUNCTION: 'x00281056',
  FLOAT_PIXEL_DATA: 'x7fe00008',
  DOUBLE_FLOAT_PIXEL_DATA: 'x7fe00009',
  PIXEL_DATA: 'x7fe00010',
} as const;

/** The Pixel Data elements, each with the sample format and BitsAllocated it implies (PS3.3 C.7.6.3, C.7.6.24). */
const PIXEL_DATA_ELEMENTS: ReadonlyArray<{ tag: string; format: SampleFormat }> = [
  { tag: Tag.PIXEL_DATA, format: 'integer' },
  { tag: Tag.FLOAT_PIXEL_DATA, format: 'float' },
  { tag: Tag.DOUBLE_FLOAT_PIXEL_DATA, format: 'double' },
];

const VOI_FUNCTIONS: ReadonlySet<string> = new Set(['LINEAR', 'LINEAR_EXACT', 'SIGMOID']);

function reject(reason: keyof typeof RejectionReason, message: string): never {
  throw new DicomRejection(RejectionReason[reason], message);
}

/**
 * Parses a DICOM Part 10 object. Throws `DicomRejection` with:
 * UNSUPPORTED_FORMAT (not Part 10, or a pixel layout we cannot read),
 * TRUNCATED_DICOM (header or data cannot be read to the end),
 * UNSUPPORTED_TRANSFER_SYNTAX (no codec for it), INVALID_DICOM
 * (required attributes missing or inconsistent), MISSING_PIXEL_DATA,
 * TOO_LARGE (pixels, decompressed size, inflated size), TOO_MANY_FRAMES.
 * Frames are not decoded here: see `ParsedDicom.decodeFrame`.
 */
export function parseDicom(bytes: Uint8Array, limits: DicomLimits = {}): ParsedDicom {
  const { bytes: conforming, warnings } = conformingPart10(bytes);
  if (!hasDicmMagic(conforming)) reject('UNSUPPORTED_FORMAT', 'Not a DICOM Part 10 object');
  const transferSyntaxUid = readTransferSyntax(conforming);
  const maxDecompressedBytes = limits.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(conforming, { inflater: boundedInflater(maxDecompressedBytes) });
  } catch (e) {
    if (e instanceof DicomRejection) throw e;
    if (isStackOverflow(e)) throw nestedTooDeeply();
    // dicom-parser throws strings or objects; their text is never passed on.
    return reject('TRUNCATED_DICOM', 'DICOM data set could not be read to its end');
  }
  return readImage(dataSet, transferSyntaxUid, warnings, {
    maxPixels: limits.maxPixels ?? DEFAULT_MAX_DICOM_PIXELS,
    maxFrames: limits.maxFrames ?? DEFAULT_MAX_FRAMES,
    maxDecompressedBytes,
  });
}

function readTransferSyntax(input: Uint8Array): SupportedTransferSyntax {
  let meta: dicomParser.DataSet;
  let uid: string | undefined;
  try {
    meta = dicomParser.readPart10Header(input);
    // Inside the try too: an element whose length runs past a cut file throws on read.
    uid = meta.string(Tag.TRANSFER_SYNTAX);
  } catch (e) {
    // The meta reader reads the first element past the group too: a nested sequence there overflows it.
    if (isStackOverflow(e)) throw nestedTooDeeply();
    return reject('TRUNCATED_DICOM', 'DICOM file meta information could not be read');
  }
  // Nothing readable after "DICM" (cut off, or garbage): the file is not intact.
  if (Object.keys(meta.elements).length === 0) reject('TRUNCATED_DICOM', 'DICOM file meta information is empty');
  if (!uid) return reject('INVALID_DICOM', 'DICOM transfer syntax is missing');
  if (!isSupportedTransferSyntax(uid)) {
    return reject('UNSUPPORTED_TRANSFER_SYNTAX', 'DICOM transfer syntax is not supported');
  }
  return uid;
}

function requiredUid(dataSet: dicomParser.DataSet, tag: string, name: string): string {
  const value = dataSet.string(tag);
  if (!value) reject('INVALID_DICOM', `DICOM ${name} is missing`);
  return value;
}

function requiredCount(dataSet: dicomParser.DataSet, tag: string, name: string): number {
  const value = dataSet.uint16(tag);
  if (value === undefined || value <= 0) reject('INVALID_DICOM', `DICOM ${name} is missing or zero`);
  return value;
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** An IS value that is a whole number (Instance Number); anything else is left out. */
function wholeNumber(value: string | undefined): number | undefined {
  const trimmed = value?.trim();
  return trimmed !== undefined && /^[+-]?[0-9]{1,12}$/.test(trimmed) ? Number(trimmed) : undefined;
}

function readFrameCount(dataSet: dicomParser.DataSet): number {
  if (!dataSet.elements[Tag.NUMBER_OF_FRAMES]) return 1;
  const value = dataSet.intString(Tag.NUMBER_OF_FRAMES);
  if (value === undefined || Number.isNaN(value)) return 1; // empty (type 2 style): one frame
  // Zero or negative frames would render nothing (or index out of range): not a readable object.
  if (!Number.isFinite(value) || value < 1) reject('INVALID_DICOM', 'DICOM NumberOfFrames is not a positive integer');
  return value;
}

interface ResolvedLimits {
  readonly maxPixels: number;
  readonly maxFrames: number;
  readonly maxDecompressedBytes: number;
}

function readImage(
  dataSet: dicomParser.DataSet,
  transferSyntaxUid: SupportedTransferSyntax,
  warnings: readonly DicomReadWarning[],
  limits: ResolvedLimits,
): ParsedDicom {
  const studyInstanceUid = requiredUid(dataSet, Tag.STUDY_INSTANCE_UID, 'StudyInstanceUID');
  const seriesInstanceUid = requiredUid(dataSet, Tag.SERIES_INSTANCE_UID, 'SeriesInstanceUID');
  const sopInstanceUid = requiredUid(dataSet, Tag.SOP_INSTANCE_UID, 'SOPInstanceUID');
  const sopClassUid = requiredUid(dataSet, Tag.SOP_CLASS_UID, 'SOPClassUID');

  const pixelData = PIXEL_DATA_ELEMENTS.find(({ tag }) => dataSet.elements[tag] !== undefined);
  if (!pixelData) return reject('MISSING_PIXEL_DATA', 'DICOM object has no Pixel Data');
  const pixelElement = dataSet.elements[pixelData.tag];
  const sampleFormat = pixelData.format;
  const native = isNativeTransferSyntax(transferSyntaxUid);
  // Encapsulation is defined for (7FE0,0010) only (PS3.5 A.4).
  if (!native && sampleFormat !== 'integer') reject('INVALID_DICOM', 'Float Pixel Data in a compressed transfer syntax');
  if (native && pixelElement.encapsulatedPixelData) {
    reject('INVALID_DICOM', 'Encapsulated Pixel Data in an uncompressed transfer syntax');
  }
  if (!native && !pixelElement.encapsulatedPixelData) {
    reject('INVALID_DICOM', 'Native Pixel Data in a compressed transfer syntax');
  }
  if (!native && (pixelElement.fragments ?? []).length === 0) reject('MISSING_PIXEL_DATA', 'DICOM encapsulated Pixel Data has no fragments');

  const rows = requiredCount(dataSet, Tag.ROWS, 'Rows');
  const columns = requiredCount(dataSet, Tag.COLUMNS, 'Columns');
  if (rows * columns > limits.maxPixels) reject('TOO_LARGE', 'DICOM image exceeds the pixel limit');

  const bitsAllocated = readBitsAllocated(dataSet, sampleFormat, transferSyntaxUid, native);
  const bitsStored = dataSet.uint16(Tag.BITS_STORED) ?? bitsAllocated;
  const highBit = dataSet.uint16(Tag.HIGH_BIT) ?? bitsStored - 1;
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit !== bitsStored - 1) {
    // High bits at another position than BitsStored - 1 were retired in 2013; refuse rather than guess.
    reject('INVALID_DICOM', 'DICOM BitsStored/HighBit inconsistent with BitsAllocated');
  }
  const pixelRepresentation = dataSet.uint16(Tag.PIXEL_REPRESENTATION) ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    reject('INVALID_DICOM', 'DICOM PixelRepresentation is invalid');
  }
  const samplesPerPixel = dataSet.uint16(Tag.SAMPLES_PER_PIXEL) ?? 1;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    reject('UNSUPPORTED_FORMAT', 'DICOM SamplesPerPixel other than 1 or 3 is not supported');
  }
  // Bit-packed and floating point samples are gray by definition (PS3.3 C.8.20.2, C.7.6.24).
  if (samplesPerPixel !== 1 && (bitsAllocated === 1 || sampleFormat !== 'integer')) {
    reject('INVALID_DICOM', 'DICOM 1-bit or floating point Pixel Data with more than one sample per pixel');
  }
  const photometricInterpretation = (dataSet.string(Tag.PHOTOMETRIC_INTERPRETATION)
    ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB')).trim().toUpperCase();
  const numberOfFrames = readFrameCount(dataSet);
  if (numberOfFrames > limits.maxFrames) reject('TOO_MANY_FRAMES', 'DICOM object has more frames than allowed');

  const bytesPerSample = bitsAllocated / 8;
  // Checked before anything is allocated or decoded (a small compressed file can declare a huge image).
  // Native frames are all held at once; of compressed ones ingest decodes one (the representative
  // frame), so a long compressed multi-frame series is not refused for frames it never decodes.
  const framesHeldDecoded = native ? numberOfFrames : 1;
  if (rows * columns * samplesPerPixel * bytesPerSample * framesHeldDecoded > limits.maxDecompressedBytes) {
    reject('TOO_LARGE', 'DICOM pixel data exceeds the decompressed size limit');
  }
  const planarConfiguration = dataSet.uint16(Tag.PLANAR_CONFIGURATION) === 1 ? 1 : 0;
  const subsampled422 = native && photometricInterpretation === 'YBR_FULL_422' && samplesPerPixel === 3;
  if (subsampled422 && bitsAllocated !== 8) reject('UNSUPPORTED_FORMAT', 'DICOM YBR_FULL_422 with 16-bit samples is not supported');
  const bigEndian = transferSyntaxUid === TransferSyntax.EXPLICIT_VR_BIG_ENDIAN;
  const layout: NativeLayout = {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    sampleFormat,
    planarConfiguration,
    // 1-bit samples in OB are single bytes, never swapped; in OW (and for every wider word) big endian swaps.
    bigEndian: bigEndian && !(bitsAllocated === 1 && pixelElement.vr === 'OB'),
    subsampled422,
  };
  if (native) {
    const available = Math.min(pixelElement.length, dataSet.byteArray.length - pixelElement.dataOffset);
    if (available < nativePixelDataBytes(layout, numberOfFrames)) {
      reject('TRUNCATED_DICOM', 'DICOM Pixel Data is shorter than the image it describes');
    }
  }
  const palette = photometricInterpretation === 'PALETTE COLOR' && samplesPerPixel === 1
    ? readPalette(dataSet, pixelRepresentation === 1, bigEndian)
    : undefined;

  const decodedPhotometric = colourModelAfterDecoding(photometricInterpretation, transferSyntaxUid, native, samplesPerPixel);
  const geometry = {
    rows, columns, samplesPerPixel, bitsAllocated, bitsStored, signed: pixelRepresentation === 1, photometric: photometricInterpretation,
  };
  const decodeFrame = (index: number): DecodedFrame => {
    if (!Number.isInteger(index) || index < 0 || index >= numberOfFrames) throw new RangeError('frame index out of range');
    if (native) return { samples: nativeFrame(dataSet.byteArray, pixelElement.dataOffset, index, layout), photometric: decodedPhotometric };
    const decoder = frameDecoderFor(transferSyntaxUid);
    if (!decoder) return reject('UNSUPPORTED_TRANSFER_SYNTAX', 'DICOM transfer syntax is not supported');
    const encoded = encapsulatedFrame(dataSet, pixelElement, index, numberOfFrames);
    return { samples: decoder(encoded, geometry), photometric: decodedPhotometric };
  };

  const voiFunction = dataSet.string(Tag.VOI_LUT_FUNCTION)?.trim().toUpperCase() ?? 'LINEAR';
  const voiLutFunction = (VOI_FUNCTIONS.has(voiFunction) ? voiFunction : 'LINEAR') as VoiLutFunction;
  const windowWidth = finite(dataSet.floatString(Tag.WINDOW_WIDTH, 0));
  const minimumWidth = voiLutFunction === 'LINEAR' ? 1 : Number.MIN_VALUE;
  const studyInstances = dataSet.intString(Tag.NUMBER_OF_STUDY_RELATED_INSTANCES);
  const slope = finite(dataSet.floatString(Tag.RESCALE_SLOPE));
  const rescaleSlope = slope !== undefined && slope !== 0 ? slope : 1;
  const rescaleIntercept = finite(dataSet.floatString(Tag.RESCALE_INTERCEPT)) ?? 0;
  // Lookup tables index stored words of at most 16 bits.
  const gray = samplesPerPixel === 1 && photometricInterpretation.startsWith('MONOCHROME') && bitsAllocated <= 16;
  const modalityLut = gray ? readModalityLut(dataSet, pixelRepresentation === 1, bigEndian) : undefined;
  // A Modality LUT's output (its entries) is never negative.
  const voiInputMayBeNegative = modalityLut === undefined
    && modalityMayBeNegative(bitsStored, pixelRepresentation === 1, rescaleSlope, rescaleIntercept);
  const voiLut = gray ? readVoiLut(dataSet, voiInputMayBeNegative, bigEndian) : undefined;
  let frame1: DicomSamples | undefined;
  return {
    transferSyntaxUid,
    warnings,
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    sopClassUid,
    modality: dataSet.string(Tag.MODALITY) || undefined,
    bodyPartExamined: dataSet.string(Tag.BODY_PART_EXAMINED) || undefined,
    instanceNumber: wholeNumber(dataSet.string(Tag.INSTANCE_NUMBER)),
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation,
    planarConfiguration,
    bitsAllocated,
    sampleFormat,
    bitsStored,
    highBit,
    pixelRepresentation,
    numberOfFrames,
    rescaleSlope,
    rescaleIntercept,
    windowCenter: finite(dataSet.floatString(Tag.WINDOW_CENTER, 0)),
    windowWidth: windowWidth !== undefined && windowWidth >= minimumWidth ? windowWidth : undefined,
    modalityLut,
    voiLutFunction,
    voiLut,
    palette,
    numberOfStudyRelatedInstances: studyInstances !== undefined && studyInstances > 0 ? studyInstances : undefined,
    burnedInAnnotation: dataSet.string(Tag.BURNED_IN_ANNOTATION) || undefined,
    decodeFrame,
    get frame1(): DicomSamples {
      frame1 ??= decodeFrame(0).samples;
      return frame1;
    },
  };
}

/**
 * BitsAllocated, checked against the Pixel Data element: 32 for Float and 64
 * for Double Float Pixel Data; 1, 8, 16 or 32 for integers, where 1 and 32 are
 * read native and (32 only) from RLE, whose byte planes cover any word size.
 */
function readBitsAllocated(dataSet: dicomParser.DataSet, format: SampleFormat, transferSyntaxUid: string, native: boolean): 1 | 8 | 16 | 32 | 64 {
  const bitsAllocated = requiredCount(dataSet, Tag.BITS_ALLOCATED, 'BitsAllocated');
  if (format !== 'integer') {
    if (bitsAllocated !== (format === 'float' ? 32 : 64)) reject('INVALID_DICOM', 'DICOM BitsAllocated does not match its float Pixel Data');
    return bitsAllocated as 32 | 64;
  }
  if (bitsAllocated === 8 || bitsAllocated === 16) return bitsAllocated;
  if (bitsAllocated === 1 && native) return 1;
  if (bitsAllocated === 32 && (native || transferSyntaxUid === EncapsulatedTransferSyntax.RLE_LOSSLESS)) return 32;
  return reject('UNSUPPORTED_FORMAT', 'DICOM BitsAllocated is not supported in this transfer syntax');
}

/** Whether some stored value rescales (PS3.3 C.11.1) to a negative modality value. */
function modalityMayBeNegative(bitsStored: number, signed: boolean, slope: number, intercept: number): boolean {
  const lowest = signed ? -(2 ** (bitsStored - 1)) : 0;
  const highest = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  return Math.min(lowest * slope, highest * slope) + intercept < 0;
}

/** The colour model of decoded samples (see `DecodedFrame.photometric`). */
function colourModelAfterDecoding(photometric: string, transferSyntaxUid: string, native: boolean, samplesPerPixel: number): string {
  if (samplesPerPixel !== 3) return photometric;
  if (!native && decodesToRgb(transferSyntaxUid)) return 'RGB';
  // The JPEG 2000 decoder undoes the reversible/irreversible colour transform.
  if (!native && (photometric === 'YBR_RCT' || photometric === 'YBR_ICT')) return 'RGB';
  return photometric === 'YBR_FULL_422' ? 'YBR_FULL' : photometric;
}
