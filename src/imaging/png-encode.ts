// pngjs is bundled into the Lambda asset at build time, never a consumer dependency.
import { PNG } from 'pngjs';
import { RasterImage } from './raster';

/**
 * zlib level for derived PNGs: level 3 with the RLE strategy is several times
 * faster than 9 on large radiographs and costs a few percent in size.
 */
export const DEFAULT_PNG_DEFLATE_LEVEL = 3;
/** PNG row filter "Sub": cheap and effective on smooth medical images (adaptive filtering is slow in JS). */
const FILTER_SUB = 1;
const COLOR_TYPE_GRAY = 0;
const COLOR_TYPE_RGB = 2;

export interface PngEncodeOptions {
  /** zlib level 0..9. @default DEFAULT_PNG_DEFLATE_LEVEL */
  readonly deflateLevel?: number;
}

/**
 * Encodes an 8-bit gray or RGB image as PNG. Only IHDR, IDAT and IEND are
 * written: no text, time, gamma or EXIF chunks, so nothing but pixels leaves.
 */
export function encodePng(image: RasterImage, options: PngEncodeOptions = {}): Buffer {
  const colorType = image.channels === 1 ? COLOR_TYPE_GRAY : COLOR_TYPE_RGB;
  if (image.data.length < image.width * image.height * image.channels) {
    throw new RangeError('image data is shorter than width * height * channels');
  }
  const png = new PNG();
  png.width = image.width;
  png.height = image.height;
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.width * image.height * image.channels);
  return PNG.sync.write(png, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: false,
    bitDepth: 8,
    deflateLevel: options.deflateLevel ?? DEFAULT_PNG_DEFLATE_LEVEL,
    filterType: FILTER_SUB,
  });
}
