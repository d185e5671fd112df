/**
 * The benchmark's two images, made in-run by the seeded test generator:
 * a 512x512 CT (16-bit signed, rescale -1024, file window 40/400) and a
 * 3000x3000 DX (12-bit unsigned, no window: the percentile path). Content
 * has anatomy-like regions and noise, so PNG compression costs what a real
 * image costs (a flat or noiseless image would flatter every encoder).
 */
import { makeDicom, seededRandom } from '../../test/fixtures/images';

export interface BenchImage {
  readonly name: 'ct' | 'dx';
  readonly label: string;
  readonly bytes: Buffer;
  readonly rows: number;
  readonly columns: number;
  /** Where the pixel words start in the file (the floor reads them there). */
  readonly pixelOffset: number;
  readonly signed: boolean;
  readonly bitsStored: number;
  readonly rescale: { readonly slope: number; readonly intercept: number };
  readonly window?: { readonly center: number; readonly width: number };
}

/** Roughly normal noise from a uniform generator (sum of three, centred). */
function noise(random: () => number, amplitude: number): number {
  return (random() + random() + random() - 1.5) * amplitude;
}

function inEllipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1;
}

export function makeCt(seed = 512): BenchImage {
  const size = 512;
  const random = seededRandom(seed);
  const rescale = { slope: 1, intercept: -1024 };
  const window = { center: 40, width: 400 };
  const hu = (x: number, y: number): number => {
    if (!inEllipse(x, y, 256, 256, 250, 250)) return -3024; // outside the reconstruction circle (padding)
    if (!inEllipse(x, y, 256, 270, 210, 170)) return -1000 + noise(random, 20); // air
    if (inEllipse(x, y, 256, 270, 205, 165) && !inEllipse(x, y, 256, 270, 190, 150)) return 700 + noise(random, 120); // rib cage
    if (inEllipse(x, y, 180, 250, 60, 90) || inEllipse(x, y, 332, 250, 60, 90)) return -820 + noise(random, 60); // lungs
    if (inEllipse(x, y, 256, 330, 22, 22)) return 900 + noise(random, 80); // vertebra
    return 40 + noise(random, 30); // soft tissue
  };
  const bytes = makeDicom({
    rows: size,
    columns: size,
    modality: 'CT',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    rescale,
    window,
    pixelFn: (x, y) => hu(x, y) - rescale.intercept,
  });
  return withPixelOffset({ name: 'ct', label: 'CT 512x512 s16', bytes, rows: size, columns: size, signed: true, bitsStored: 16, rescale, window });
}

/**
 * A chest radiograph's 12-bit stored values on a `size` x `size` grid, laid out
 * for 3000 x 3000 and scaled to other sizes (integer-valued, as the codecs need).
 */
export function radiographPixels(size: number, random: () => number): (x: number, y: number) => number {
  const s = size / 3000;
  return (x, y) => {
    let v = 600 + (x / size) * 300 + (y / size) * 200; // exposure gradient
    if (inEllipse(x, y, 1500 * s, 1600 * s, 1200 * s, 1300 * s)) v += 1400; // body
    if (inEllipse(x, y, 1050 * s, 1400 * s, 380 * s, 800 * s) || inEllipse(x, y, 1950 * s, 1400 * s, 380 * s, 800 * s)) v -= 900; // lungs
    if (Math.abs(x - 1500 * s) < 90 * s && y > 300 * s) v += 800; // spine
    return Math.max(0, Math.min(4095, v + noise(random, 40)));
  };
}

export function makeDx(seed = 3000): BenchImage {
  const size = 3000;
  const value = radiographPixels(size, seededRandom(seed));
  const bytes = makeDicom({ rows: size, columns: size, modality: 'DX', bitsAllocated: 16, bitsStored: 12, pixelFn: value });
  return withPixelOffset({ name: 'dx', label: 'DX 3000x3000 u12', bytes, rows: size, columns: size, signed: false, bitsStored: 12, rescale: { slope: 1, intercept: 0 } });
}

/** Pixel Data is the generator's last element: its value is the file's tail. */
function withPixelOffset(image: Omit<BenchImage, 'pixelOffset'>): BenchImage {
  return { ...image, pixelOffset: image.bytes.length - image.rows * image.columns * 2 };
}
