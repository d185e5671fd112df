/**
 * Preview images for the HTML report: the analyzer-sized gray PNG of an image,
 * downscaled to a thumbnail within a pixel and a byte bound, so a report with
 * its previews embedded as data: URIs stays small whatever the source size.
 */
import { ReportPreview } from './html';
import { ImageReference } from '../../shared/analyzer-result';
import { analysisImage } from '../imaging/analysis';
import { decodePng } from '../imaging/png';
import { renderGray } from '../imaging/render';

/** Long side of a report thumbnail in pixels. */
export const REPORT_PREVIEW_MAX_DIMENSION = 384;
/** Size of one report thumbnail's PNG at most. */
export const REPORT_PREVIEW_MAX_BYTES = 96 * 1024;

/** A thumbnail of `png` (the image's analysis PNG) with alt text naming only what the image is. */
export async function reportPreviewOf(image: ImageReference, png: Uint8Array): Promise<ReportPreview> {
  const decoded = decodePng(png, { maxPixels: 50_000_000 });
  const raster = decoded.bitDepth === 16
    ? renderGray({ width: decoded.image.width, height: decoded.image.height, samples: decoded.image.data }).image
    : decoded.image;
  const thumbnail = await analysisImage(raster, { maxDimension: REPORT_PREVIEW_MAX_DIMENSION, maxBytes: REPORT_PREVIEW_MAX_BYTES });
  const what = [image.modality, image.bodyPart?.toLowerCase()].filter((v) => v !== undefined && v !== '').join(' ');
  return {
    imageRef: image.imageRef,
    mimeType: 'image/png',
    bytes: thumbnail.png,
    description: `${what === '' ? 'Study' : what} image ${image.imageRef}, thumbnail of the de-identified image`,
  };
}
