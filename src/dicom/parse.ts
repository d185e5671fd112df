/**
 * Minimal, honest DICOM Part 10 reading on top of dicom-parser: the
 * identifiers, the image pixel module and a typed view of frame 1.
 * Only uncompressed transfer syntaxes are read; anything else is refused.
 */
// dicom-parser is bundled into the Lambda asset at build time, never a consumer dependency.
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { hasDicmMagic, startsWithFileMetaGroup, withPart10Preamble } from './part10';
import { isSupportedTransferSyntax, SupportedTransferSyntax, TransferSyntax } from './transfer-syntax';
import { RejectionReason } from '../shared/events';

/** Default bound on Rows x Columns (100 megapixels). */
export const DEFAULT_MAX_DICOM_PIXELS = 100_000_000;

export interface DicomLimits {
  /** Largest Rows x Columns accepted. @default DEFAULT_MAX_DICOM_PIXELS */
  readonly maxPixels?: number;
}

/**
 * Stored pixel words of frame 1, in file order (interleaved unless
 * `planarConfiguration` is 1). Words are raw: bits above BitsStored are not
 * masked and signed values are not sign-extended; the renderer does both.
 * The array may share memory with the input bytes; treat it as read-only.
 */
export type DicomSamples = Uint8Array | Uint16Array;

export interface ParsedDicom {
  readonly transferSyntaxUid: SupportedTransferSyntax;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly modality?: string;
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  /** 0 = interleaved (RGBRGB...), 1 = planar (RR..GG..BB..). */
  readonly planarConfiguration: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 = unsigned, 1 = two's complement. */
  readonly pixelRepresentation: 0 | 1;
  readonly numberOfFrames: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** First value of (0028,1050), when present and finite. */
  readonly windowCenter?: number;
  /** First value of (0028,1051), when present and >= 1. */
  readonly windowWidth?: number;
  /** (0020,1208), when present and positive. */
  readonly numberOfStudyRelatedInstances?: number;
  /** (0028,0301) as written, e.g. "YES" or "NO". */
  readonly burnedInAnnotation?: string;
  readonly frame1: DicomSamples;
}

const Tag = {
  TRANSFER_SYNTAX: 'x00020010',
  SOP_CLASS_UID: 'x00080016',
  SOP_INSTANCE_UID: 'x00080018',
  MODALITY: 'x00080060',
  STUDY_INSTANCE_UID: 'x0020000d',
  SERIES_INSTANCE_UID: 'x0020000e',
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
  PIXEL_DATA: 'x7fe00010',
} as const;

function reject(reason: keyof typeof RejectionReason, message: string): never {
  throw new DicomRejection(RejectionReason[reason], message);
}

/**
 * Parses a DICOM Part 10 object. Throws `DicomRejection` with:
 * UNSUPPORTED_FORMAT (not Part 10, or a pixel layout we cannot read),
 * TRUNCATED_DICOM (header or data cannot be read to the end),
 * UNSUPPORTED_TRANSFER_SYNTAX (compressed or deflated), INVALID_DICOM
 * (required attributes missing or inconsistent), MISSING_PIXEL_DATA, TOO_LARGE.
 */
export function parseDicom(bytes: Uint8Array, limits: DicomLimits = {}): ParsedDicom {
  let input = bytes;
  if (!hasDicmMagic(bytes)) {
    if (!startsWithFileMetaGroup(bytes)) reject('UNSUPPORTED_FORMAT', 'Not a DICOM Part 10 object');
    input = withPart10Preamble(bytes);
  }

  const transferSyntaxUid = readTransferSyntax(input);
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(input);
  } catch {
    // dicom-parser throws strings or objects; their text is never passed on.
    return reject('TRUNCATED_DICOM', 'DICOM data set could not be read to its end');
  }
  return readImage(dataSet, transferSyntaxUid, limits.maxPixels ?? DEFAULT_MAX_DICOM_PIXELS);
}

function readTransferSyntax(input: Uint8Array): SupportedTransferSyntax {
  let meta: dicomParser.DataSet;
  try {
    meta = dicomParser.readPart10Header(input);
  } catch {
    return reject('TRUNCATED_DICOM', 'DICOM file meta information could not be read');
  }
  // Nothing readable after "DICM" (cut off, or garbage): the file is not intact.
  if (Object.keys(meta.elements).length === 0) reject('TRUNCATED_DICOM', 'DICOM file meta information is empty');
  const uid = meta.string(Tag.TRANSFER_SYNTAX);
  if (!uid) return reject('INVALID_DICOM', 'DICOM transfer syntax is missing');
  if (!isSupportedTransferSyntax(uid)) {
    return reject('UNSUPPORTED_TRANSFER_SYNTAX', 'DICOM transfer syntax is not an uncompressed one');
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

function readImage(dataSet: dicomParser.DataSet, transferSyntaxUid: SupportedTransferSyntax, maxPixels: number): ParsedDicom {
  const studyInstanceUid = requiredUid(dataSet, Tag.STUDY_INSTANCE_UID, 'StudyInstanceUID');
  const seriesInstanceUid = requiredUid(dataSet, Tag.SERIES_INSTANCE_UID, 'SeriesInstanceUID');
  const sopInstanceUid = requiredUid(dataSet, Tag.SOP_INSTANCE_UID, 'SOPInstanceUID');
  const sopClassUid = requiredUid(dataSet, Tag.SOP_CLASS_UID, 'SOPClassUID');

  const pixelElement = dataSet.elements[Tag.PIXEL_DATA];
  if (!pixelElement) reject('MISSING_PIXEL_DATA', 'DICOM object has no Pixel Data');
  if (pixelElement.encapsulatedPixelData) {
    reject('INVALID_DICOM', 'Encapsulated Pixel Data in an uncompressed transfer syntax');
  }

  const rows = requiredCount(dataSet, Tag.ROWS, 'Rows');
  const columns = requiredCount(dataSet, Tag.COLUMNS, 'Columns');
  if (rows * columns > maxPixels) reject('TOO_LARGE', 'DICOM image exceeds the pixel limit');

  const bitsAllocated = requiredCount(dataSet, Tag.BITS_ALLOCATED, 'BitsAllocated');
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    reject('UNSUPPORTED_FORMAT', 'DICOM BitsAllocated other than 8 or 16 is not supported');
  }
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
  const photometricInterpretation = dataSet.string(Tag.PHOTOMETRIC_INTERPRETATION)
    ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB');
  const numberOfFrames = Math.max(1, dataSet.intString(Tag.NUMBER_OF_FRAMES) ?? 1);

  const bytesPerSample = bitsAllocated / 8;
  const sampleCount = rows * columns * samplesPerPixel;
  const frameBytes = sampleCount * bytesPerSample;
  const available = Math.min(pixelElement.length, dataSet.byteArray.length - pixelElement.dataOffset);
  if (available < frameBytes * numberOfFrames) {
    reject('TRUNCATED_DICOM', 'DICOM Pixel Data is shorter than the image it describes');
  }

  const frame1 = bitsAllocated === 8
    ? dataSet.byteArray.subarray(pixelElement.dataOffset, pixelElement.dataOffset + frameBytes)
    : readWords(dataSet.byteArray, pixelElement.dataOffset, sampleCount, transferSyntaxUid === TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);

  const windowWidth = finite(dataSet.floatString(Tag.WINDOW_WIDTH, 0));
  const studyInstances = dataSet.intString(Tag.NUMBER_OF_STUDY_RELATED_INSTANCES);
  const slope = finite(dataSet.floatString(Tag.RESCALE_SLOPE));
  return {
    transferSyntaxUid,
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    sopClassUid,
    modality: dataSet.string(Tag.MODALITY) || undefined,
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation,
    planarConfiguration: dataSet.uint16(Tag.PLANAR_CONFIGURATION) === 1 ? 1 : 0,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    numberOfFrames,
    rescaleSlope: slope !== undefined && slope !== 0 ? slope : 1,
    rescaleIntercept: finite(dataSet.floatString(Tag.RESCALE_INTERCEPT)) ?? 0,
    windowCenter: finite(dataSet.floatString(Tag.WINDOW_CENTER, 0)),
    windowWidth: windowWidth !== undefined && windowWidth >= 1 ? windowWidth : undefined,
    numberOfStudyRelatedInstances: studyInstances !== undefined && studyInstances > 0 ? studyInstances : undefined,
    burnedInAnnotation: dataSet.string(Tag.BURNED_IN_ANNOTATION) || undefined,
    frame1,
  };
}

/**
 * 16-bit words starting at `offset`. A zero-copy view when the data is little
 * endian and 2-byte aligned (Lambda hosts are little endian), else a copy.
 */
function readWords(bytes: Uint8Array, offset: number, count: number, bigEndian: boolean): Uint16Array {
  const start = bytes.byteOffset + offset;
  if (!bigEndian && start % 2 === 0) return new Uint16Array(bytes.buffer, start, count);
  const words = new Uint16Array(count);
  const hi = bigEndian ? 0 : 1;
  const lo = 1 - hi;
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    words[i] = bytes[p + hi] * 256 + bytes[p + lo];
  }
  return words;
}
