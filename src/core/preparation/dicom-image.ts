/** From a parsed DICOM object to display images (the glue between the reader and the renderer). */
import { IngestRejection } from './rejection';
import { RejectionReason } from '../../shared/events';
import { DecodedFrame, DicomSamples, ParsedDicom } from '../dicom/parse';
import { applyPalette, rgbTo8Bit, ybrFullToRgb } from '../imaging/color';
import { RasterImage } from '../imaging/raster';
import { renderGray } from '../imaging/render';
import { renderGrayWide } from '../imaging/render-wide';
import { ScratchBuffer } from '../imaging/scratch';

/** Photometric interpretations rendered without a colour model conversion. */
const GRAY_PHOTOMETRICS = new Set(['MONOCHROME1', 'MONOCHROME2']);

/**
 * The frame shown for a multi-frame object: the middle one. The first frames
 * of a cine or ultrasound loop are often blank or still settling, and in a
 * multi-frame CT/MR volume the middle slice passes through the anatomy's
 * centre; one frame also keeps the cost independent of the frame count.
 */
export function representativeFrameIndex(numberOfFrames: number): number {
  return Math.floor(Math.max(1, numberOfFrames) / 2);
}

/**
 * The 8-bit preview of the representative frame: windowed gray for
 * MONOCHROME1/2 (stored values through the Modality LUT Sequence or rescale;
 * then the file window with its VOI LUT Function, else the first VOI
 * LUT of the VOI LUT Sequence, else 1st-99th percentile; MONOCHROME1
 * inverted), RGB for RGB, YBR_FULL(_422), YBR_ICT/RCT and PALETTE COLOR
 * (plain or segmented tables). 32-bit integer and float samples are windowed
 * the same way (without lookup tables); 1-bit samples (segmentations) are a
 * mask preview, set bits white. Other photometrics are refused as UNSUPPORTED_FORMAT.
 * With `output`, a gray preview is written there (valid until its next use).
 */
export function renderDicomFrame(dicom: ParsedDicom, output?: ScratchBuffer): RasterImage {
  assertRenderable(dicom);
  return renderDecodedFrame(dicom, dicom.decodeFrame(representativeFrameIndex(dicom.numberOfFrames)), output);
}

function unsupported(): never {
  throw new IngestRejection(RejectionReason.UNSUPPORTED_FORMAT, 'DICOM photometric interpretation is not supported');
}

/** Refuses before decoding what could not be rendered after it. */
function assertRenderable(dicom: ParsedDicom): void {
  const photometric = dicom.photometricInterpretation;
  if (dicom.samplesPerPixel === 1) {
    // Palette tables are indexed by 8- or 16-bit words.
    const palette = photometric === 'PALETTE COLOR' && (dicom.bitsAllocated === 8 || dicom.bitsAllocated === 16);
    if (!GRAY_PHOTOMETRICS.has(photometric) && !palette) unsupported();
  } else if (!['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_ICT', 'YBR_RCT'].includes(photometric)) {
    unsupported();
  }
}

/** Renders one decoded frame of `dicom`. */
export function renderDecodedFrame(dicom: ParsedDicom, frame: DecodedFrame, output?: ScratchBuffer): RasterImage {
  const { rows, columns } = dicom;
  const { samples, photometric } = frame;
  const invert = photometric === 'MONOCHROME1';
  if (GRAY_PHOTOMETRICS.has(photometric) && dicom.bitsAllocated === 1) return maskPreview(samples, columns, rows, invert, output);
  if (samples instanceof Uint32Array || samples instanceof Float32Array || samples instanceof Float64Array) {
    if (photometric === 'RGB' && samples instanceof Uint32Array) return rgbTo8Bit(samples, columns, rows, dicom.bitsStored);
    if (!GRAY_PHOTOMETRICS.has(photometric)) return unsupported();
    return renderGrayWide({
      width: columns,
      height: rows,
      samples,
      bitsStored: dicom.bitsStored,
      signed: dicom.pixelRepresentation === 1,
      rescaleSlope: dicom.rescaleSlope,
      rescaleIntercept: dicom.rescaleIntercept,
      windowCenter: dicom.windowCenter,
      windowWidth: dicom.windowWidth,
      voiLutFunction: dicom.voiLutFunction,
      invert,
    }, { output }).image;
  }
  if (GRAY_PHOTOMETRICS.has(photometric)) {
    return renderGray({
      width: columns,
      height: rows,
      samples,
      bitsStored: dicom.bitsStored,
      signed: dicom.pixelRepresentation === 1,
      modalityLut: dicom.modalityLut,
      rescaleSlope: dicom.rescaleSlope,
      rescaleIntercept: dicom.rescaleIntercept,
      windowCenter: dicom.windowCenter,
      windowWidth: dicom.windowWidth,
      voiLutFunction: dicom.voiLutFunction,
      // When the file has both, its window wins (PS3.3 C.11.2 leaves the choice to the application).
      voiLut: dicom.voiLut,
      invert,
    }, { output }).image;
  }
  if (photometric === 'PALETTE COLOR' && dicom.palette) {
    return applyPalette(samples, columns, rows, dicom.bitsStored, dicom.pixelRepresentation === 1, dicom.palette);
  }
  if (photometric === 'RGB') return rgbTo8Bit(samples, columns, rows, dicom.bitsStored);
  if (photometric === 'YBR_FULL') {
    // YBR is defined for 8-bit samples; wider ones are brought to 8 bits first.
    return ybrFullToRgb(rgbTo8Bit(samples, columns, rows, dicom.bitsStored).data, columns, rows);
  }
  return unsupported();
}

/**
 * A segmentation frame (one byte per 1-bit sample) as a mask: set bits white.
 * No window: a segment covering under 1% of the frame would vanish under a
 * percentile window, and there are only two values to show.
 */
function maskPreview(samples: DicomSamples, width: number, height: number, invert: boolean, output?: ScratchBuffer): RasterImage {
  const pixels = width * height;
  const out = output?.take(pixels) ?? new Uint8Array(pixels);
  const [off, on] = invert ? [255, 0] : [0, 255];
  for (let i = 0; i < pixels; i++) out[i] = samples[i] ? on : off;
  return { width, height, channels: 1, data: out };
}
