/** Bounding boxes as the services report them, turned into `FindingRegion`s. */
import { FindingRegion } from '../../shared/analyzer-result';

/** A box in fractions of the image (Rekognition's `BoundingBox`). */
export interface FractionBox {
  readonly Left?: number;
  readonly Top?: number;
  readonly Width?: number;
  readonly Height?: number;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
/** Six decimals: a millionth of the image is finer than any pixel, and no float noise is stored. */
const round = (value: number) => Math.round(value * 1_000_000) / 1_000_000;

/**
 * The part of the box inside the image; undefined when the box is missing,
 * not finite or lies wholly outside (Rekognition may report boxes that reach
 * past an edge).
 */
export function regionFromBox(box: FractionBox | undefined): FindingRegion | undefined {
  if (box === undefined) return undefined;
  const { Left: left, Top: top, Width: width, Height: height } = box;
  if (![left, top, width, height].every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  const x0 = clamp(left!);
  const y0 = clamp(top!);
  const x1 = clamp(left! + width!);
  const y1 = clamp(top! + height!);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { left: round(x0), top: round(y0), width: round(x1 - x0), height: round(y1 - y0) };
}
