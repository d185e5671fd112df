/**
 * What the ingest Lambda does to one object, minus AWS: sniff, parse or
 * decode, pseudonymize the identifiers, render the preview and the
 * analyzer-sized copy. No original UID, name or tag text leaves this function.
 */
import { createHash } from 'node:crypto';
import { assertWithinTimeBudget, boundedByMemory } from './budget';
import { deidentifyForIngest } from './deidentify-dicom';
import { renderDicomFrame } from './dicom-image';
import { IngestRejection } from './rejection';
import { RejectionReason } from '../../shared/events';
import { InputRejection } from '../../shared/rejection';
import { DeidentificationSettings } from '../deid/settings';
import { conformingPart10 } from '../dicom/conforming-part10';
import { inflateOnce } from '../dicom/deflate';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, parseDicom, ParsedDicom } from '../dicom/parse';
import { AnalysisBuffers, analysisImage } from '../imaging/analysis';
import { decodeJpeg } from '../imaging/jpeg';
import { decodePng, PngLimits } from '../imaging/png';
import { encodePng } from '../imaging/png-encode';
import { RasterImage } from '../imaging/raster';
import { renderGray } from '../imaging/render';
import { ScratchBuffer } from '../imaging/scratch';
import { sniffImageKind } from '../imaging/sniff';
import { PseudonymNamespace, pseudonymize } from '../pseudonym/pseudonymize';

/** Largest object accepted (512 MiB). */
export const DEFAULT_MAX_OBJECT_BYTES = 512 * 2 ** 20;
/** Largest width x height accepted (100 megapixels). */
export const DEFAULT_MAX_PIXELS = 100_000_000;
/** Modality recorded for PNG/JPEG and for DICOM objects whose Modality is absent or malformed. */
export const OTHER_MODALITY = 'OT';

export interface PrepareOptions {
  /** HMAC key for the pseudonyms (at least 16 bytes). */
  readonly pseudonymKey: Uint8Array;
  /** @default DEFAULT_MAX_OBJECT_BYTES */
  readonly maxObjectBytes?: number;
  /** Largest width x height of one frame. @default DEFAULT_MAX_PIXELS */
  readonly maxPixels?: number;
  /** Largest DICOM NumberOfFrames; more is rejected as TOO_MANY_FRAMES. @default DEFAULT_MAX_FRAMES (2000) */
  readonly maxFrames?: number;
  /**
   * Largest DICOM pixel data once decompressed (rows x columns x frames x samples x bytes, checked from the
   * header before decoding) and largest inflated deflated data set; more is TOO_LARGE.
   * @default DEFAULT_MAX_DECOMPRESSED_BYTES (1 GiB)
   */
  readonly maxDecompressedBytes?: number;
  /** Long side of the analyzer-sized PNG. @default DEFAULT_ANALYSIS_MAX_DIMENSION (1568, Bedrock Claude's no-resize size) */
  readonly analysisMaxDimension?: number;
  /**
   * Largest analyzer-sized PNG in bytes; a larger one is downscaled further.
   * @default DEFAULT_ANALYSIS_MAX_BYTES (3,500,000: under Bedrock's 3.75 MB and Rekognition's 5 MB)
   */
  readonly analysisMaxBytes?: number;
  /** De-identification of DICOM input (profile options, private safe-list, burned-in policy). @default resolveDeidentificationSettings() */
  readonly deidentification?: DeidentificationSettings;
  /**
   * Memory of the process in MB (the Lambda function's memory setting): decoded pixel data, inflated data
   * sets and decoded PNGs are bounded by DECODED_MEMORY_SHARE (a third) of it as well; more is TOO_LARGE.
   * @default no memory budget beyond maxDecompressedBytes
   */
  readonly memoryLimitMb?: number;
  /**
   * Time (ms since the epoch) by which preparation must end; past it the object is refused as TOO_LARGE
   * at the next step (parse, de-identify, decode, encode).
   * @default no time budget
   */
  readonly deadline?: number;
}

/** Non-identifying technical attributes, safe to store and log. */
export interface SafeMetadata {
  readonly modality: string;
  readonly rows: number;
  readonly columns: number;
  readonly bitsStored: number;
  readonly photometric: string;
  /** DICOM only. */
  readonly transferSyntax?: string;
  readonly numberOfFrames: number;
}

export interface PreparedObject {
  readonly kind: 'dicom' | 'png' | 'jpeg';
  readonly studyKey: string;
  readonly seriesKey: string;
  readonly instanceKey: string;
  readonly modality: string;
  readonly width: number;
  readonly height: number;
  /** Instances the study will have: (0020,1208) when the file says so; 1 for plain images. */
  readonly expectedInstances?: number;
  /** True for PNG/JPEG: the study is complete with this one image. */
  readonly singleImage: boolean;
  /** Full-resolution 8-bit PNG (gray, or RGB for colour input), pixels only. */
  readonly previewPng: Buffer;
  /** 8-bit gray PNG, long side <= analysisMaxDimension and size <= analysisMaxBytes. */
  readonly analysisPng: Buffer;
  readonly analysisWidth: number;
  readonly analysisHeight: number;
  /** Hex SHA-256 of the input bytes. */
  readonly sourceSha256: string;
  readonly safeMetadata: SafeMetadata;
  /** DICOM (0028,0301): true for YES, false for NO, undefined when absent. Text burned into pixels is PHI. */
  readonly burnedInAnnotation?: boolean;
  /** DICOM only: the object de-identified (PS3.15 Basic Profile), as Part 10. */
  readonly deidentifiedDicom?: Buffer;
  /** True when the burned-in policy is FLAG_FOR_REVIEW and burned-in text is suspected: the study needs a clinician. */
  readonly requiresReview?: boolean;
  /** DICOM only: what analyzers route and select on (no identifiers among them). */
  readonly routing?: RoutingAttributes;
}

/** Attributes of a DICOM image that say what it shows and where it sits in its series. */
export interface RoutingAttributes {
  /** Body Part Examined, upper case (a CS value; anything else is left out). */
  readonly bodyPart?: string;
  /** SOP Class UID (a class defined by the standard, not an instance identifier). */
  readonly sopClassUid?: string;
  readonly instanceNumber?: number;
}

/** The preview and the parts of the result that depend on the input format. */
interface Decoded {
  readonly preview: RasterImage;
  readonly keys: { studyKey: string; seriesKey: string; instanceKey: string };
  readonly modality: string;
  readonly expectedInstances?: number;
  readonly safeMetadata: SafeMetadata;
  readonly burnedInAnnotation?: boolean;
  readonly deidentifiedDicom?: Buffer;
  readonly requiresReview?: boolean;
  readonly routing?: RoutingAttributes;
}

/**
 * Buffers for the intermediate images of one object (preview raster, filtered
 * scanlines, analysis copy): never returned, and reused by the next object, so
 * a warm container does not fault in fresh memory of an image's size each time.
 */
interface Workspace {
  readonly previewRaster: ScratchBuffer;
  readonly previewFiltered: ScratchBuffer;
  readonly analysis: AnalysisBuffers;
}

/** Idle workspaces. Each call in flight holds its own, so concurrent calls never share one. */
const idleWorkspaces: Workspace[] = [];

function newWorkspace(): Workspace {
  return {
    previewRaster: new ScratchBuffer(),
    previewFiltered: new ScratchBuffer(),
    analysis: { downscaled: new ScratchBuffer(), filtered: new ScratchBuffer() },
  };
}

/**
 * Prepares one uploaded object. Rejects with `IngestRejection` for input that
 * must be quarantined; any other error is a fault of this code or the platform.
 */
export async function prepareObject(bytes: Uint8Array, options: PrepareOptions): Promise<PreparedObject> {
  const workspace = idleWorkspaces.pop() ?? newWorkspace();
  try {
    return await prepareWith(workspace, bytes, options);
  } finally {
    idleWorkspaces.push(workspace);
  }
}

async function prepareWith(workspace: Workspace, bytes: Uint8Array, options: PrepareOptions): Promise<PreparedObject> {
  if (bytes.length === 0) throw new IngestRejection(RejectionReason.EMPTY_OBJECT, 'Object is empty');
  if (bytes.length > (options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES)) {
    throw new IngestRejection(RejectionReason.TOO_LARGE, 'Object exceeds the size limit');
  }
  const kind = sniffImageKind(bytes);
  if (kind !== 'dicom' && kind !== 'png' && kind !== 'jpeg') {
    throw new IngestRejection(RejectionReason.UNSUPPORTED_FORMAT, 'Object is not DICOM, PNG or JPEG');
  }
  const sourceSha256 = createHash('sha256').update(bytes).digest('hex');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxDecodedBytes = boundedByMemory(options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, options.memoryLimitMb);

  let decoded: Decoded;
  try {
    decoded = kind === 'dicom'
      ? await fromDeidentifiedDicom(bytes, { ...options, maxDecompressedBytes: maxDecodedBytes }, maxPixels, workspace.previewRaster)
      : fromPlainImage(kind, bytes, { maxPixels, maxDecodedBytes }, objectKeys(options.pseudonymKey, sourceSha256));
    assertWithinTimeBudget(options.deadline);
  } catch (e) {
    if (e instanceof InputRejection && !(e instanceof IngestRejection)) throw new IngestRejection(e.reasonCode, e.message);
    // dicom-parser reports reads past the end of a cut file by throwing a bare
    // string, from whichever element accessor hits it first (its text is not passed on).
    if (kind === 'dicom' && typeof e === 'string') {
      throw new IngestRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM element runs past the end of the file');
    }
    throw e;
  }

  // The preview's filter runs here; its compression then runs in the thread
  // pool while this thread downscales the analysis copy.
  const previewEncoding = encodePng(decoded.preview, { filterBuffer: workspace.previewFiltered });
  const [previewPng, analysis] = await Promise.all([
    previewEncoding,
    analysisImage(
      decoded.preview,
      { maxDimension: options.analysisMaxDimension, maxBytes: options.analysisMaxBytes },
      previewEncoding,
      workspace.analysis,
    ),
  ]);
  assertWithinTimeBudget(options.deadline);
  return {
    kind,
    ...decoded.keys,
    modality: decoded.modality,
    width: decoded.preview.width,
    height: decoded.preview.height,
    expectedInstances: decoded.expectedInstances,
    singleImage: kind !== 'dicom',
    previewPng,
    analysisPng: analysis.png,
    analysisWidth: analysis.width,
    analysisHeight: analysis.height,
    sourceSha256,
    safeMetadata: decoded.safeMetadata,
    burnedInAnnotation: decoded.burnedInAnnotation,
    deidentifiedDicom: decoded.deidentifiedDicom,
    requiresReview: decoded.requiresReview,
    routing: decoded.routing,
  };
}

/** Parse, apply the burned-in policy and de-identify (before rendering: a quarantined object is not rendered). */
async function fromDeidentifiedDicom(bytes: Uint8Array, options: PrepareOptions, maxPixels: number, previewRaster: ScratchBuffer): Promise<Decoded> {
  // One copy at most, shared by the parser and the de-identification.
  const { bytes: input, warnings } = conformingPart10(bytes);
  // A deflated data set is inflated once, here, and read from that buffer by the parser and the de-identification.
  await inflateOnce(input, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  assertWithinTimeBudget(options.deadline);
  const dicom = { ...parseDicom(input, { maxPixels, maxFrames: options.maxFrames, maxDecompressedBytes: options.maxDecompressedBytes }), warnings };
  const deidentified = deidentifyForIngest(input, dicom, options.pseudonymKey, options.deidentification, options.maxDecompressedBytes);
  assertWithinTimeBudget(options.deadline);
  return { ...fromDicom(dicom, options.pseudonymKey, previewRaster), ...deidentified };
}

function fromDicom(dicom: ParsedDicom, key: Uint8Array, previewRaster: ScratchBuffer): Decoded {
  const preview = renderDicomFrame(dicom, previewRaster);
  const modality = safeModality(dicom.modality);
  return {
    preview,
    keys: {
      studyKey: pseudonymize(key, PseudonymNamespace.STUDY, dicom.studyInstanceUid),
      seriesKey: pseudonymize(key, PseudonymNamespace.SERIES, dicom.seriesInstanceUid),
      instanceKey: pseudonymize(key, PseudonymNamespace.INSTANCE, dicom.sopInstanceUid),
    },
    modality,
    expectedInstances: dicom.numberOfStudyRelatedInstances,
    safeMetadata: {
      modality,
      rows: dicom.rows,
      columns: dicom.columns,
      bitsStored: dicom.bitsStored,
      // Only photometrics renderDicomFrame accepted get here: a fixed vocabulary (parse upper-cases and trims it).
      photometric: dicom.photometricInterpretation,
      transferSyntax: dicom.transferSyntaxUid,
      numberOfFrames: dicom.numberOfFrames,
    },
    burnedInAnnotation: dicom.burnedInAnnotation === 'YES' ? true : dicom.burnedInAnnotation === 'NO' ? false : undefined,
    routing: {
      bodyPart: safeCodeString(dicom.bodyPartExamined?.toUpperCase()),
      sopClassUid: dicom.sopClassUid !== '' && /^[0-9.]{1,64}$/.test(dicom.sopClassUid) ? dicom.sopClassUid : undefined,
      instanceNumber: dicom.instanceNumber,
    },
  };
}

/** Plain images carry no UIDs: the content hash is the identity, so re-uploading the same bytes is the same study and instance. */
function objectKeys(key: Uint8Array, sha256: string): Decoded['keys'] {
  const objectKey = pseudonymize(key, PseudonymNamespace.OBJECT, sha256);
  return { studyKey: objectKey, seriesKey: objectKey, instanceKey: objectKey };
}

function fromPlainImage(kind: 'png' | 'jpeg', bytes: Uint8Array, limits: PngLimits & { maxPixels: number }, keys: Decoded['keys']): Decoded {
  let preview: RasterImage;
  let bitsStored = 8;
  if (kind === 'jpeg') {
    preview = decodeJpeg(bytes, { maxPixels: limits.maxPixels });
  } else {
    const png = decodePng(bytes, limits);
    if (png.bitDepth === 16) {
      // 16-bit gray has no window of its own: use the robust percentile window.
      preview = renderGray({ width: png.image.width, height: png.image.height, samples: png.image.data }).image;
      bitsStored = 16;
    } else {
      preview = png.image;
    }
  }
  return {
    preview,
    keys,
    modality: OTHER_MODALITY,
    expectedInstances: 1,
    safeMetadata: {
      modality: OTHER_MODALITY,
      rows: preview.height,
      columns: preview.width,
      bitsStored,
      photometric: preview.channels === 1 ? 'MONOCHROME2' : 'RGB',
      numberOfFrames: 1,
    },
  };
}

/** A CS value (<= 16 of A-Z, 0-9, space, _); anything else is not trusted to be free of PHI. */
function safeCodeString(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && /^[A-Z0-9_ ]{1,16}$/.test(trimmed) ? trimmed : undefined;
}

/** Modality is a CS value; a missing or malformed one is OT. */
function safeModality(value: string | undefined): string {
  return safeCodeString(value) ?? OTHER_MODALITY;
}
