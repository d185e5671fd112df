/** From a parsed DICOM object to display images (the glue between the reader and the renderer). */
import { IngestRejection } from './rejection';
import { ParsedDicom } from '../dicom/parse';
import { RasterImage } from '../imaging/raster';
import { renderGray } from '../imaging/render';
import { RejectionReason } from '../shared/events';

/** Photometric interpretations rendered without a colour model conversion. */
const GRAY_PHOTOMETRICS = new Set(['MONOCHROME1', 'MONOCHROME2']);

/**
 * The 8-bit preview of frame 1: windowed gray for MONOCHROME1/2 (file window
 * or 1st-99th percentile), RGB as stored for 8-bit RGB. Other colour models
 * (palette, YBR) are refused as UNSUPPORTED_FORMAT until a codec issue adds them.
 */
export function renderDicomFrame(dicom: ParsedDicom): RasterImage {
  const { rows, columns } = dicom;
  if (dicom.samplesPerPixel === 1 && GRAY_PHOTOMETRICS.has(dicom.photometricInterpretation)) {
    return renderGray({
      width: columns,
      height: rows,
      samples: dicom.frame1,
      bitsStored: dicom.bitsStored,
      signed: dicom.pixelRepresentation === 1,
      rescaleSlope: dicom.rescaleSlope,
      rescaleIntercept: dicom.rescaleIntercept,
      windowCenter: dicom.windowCenter,
      windowWidth: dicom.windowWidth,
      invert: dicom.photometricInterpretation === 'MONOCHROME1',
    }).image;
  }
  if (dicom.samplesPerPixel === 3 && dicom.photometricInterpretation === 'RGB' && dicom.frame1 instanceof Uint8Array) {
    const data = dicom.planarConfiguration === 1 ? interleavePlanes(dicom.frame1, rows * columns) : dicom.frame1;
    return { width: columns, height: rows, channels: 3, data };
  }
  throw new IngestRejection(RejectionReason.UNSUPPORTED_FORMAT, 'DICOM photometric interpretation is not supported');
}

/** RR..GG..BB.. -> RGBRGB.. */
function interleavePlanes(planar: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; i < pixels; i++, o += 3) {
    out[o] = planar[i];
    out[o + 1] = planar[pixels + i];
    out[o + 2] = planar[2 * pixels + i];
  }
  return out;
}
