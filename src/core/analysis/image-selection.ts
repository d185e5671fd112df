/** Which of a study's images an analyzer sees (the strategies of `ImageSelectionStrategy`). */
import { ImageSelectionStrategy } from '../../shared/analysis-plan';
import { ImageReference } from '../../shared/analyzer-result';
import { ImageSelectionSpec } from '../../shared/workflow';

/** Images grouped by series, each series in reading order (Instance Number, then image ref). */
export function seriesInOrder(images: readonly ImageReference[]): ImageReference[][] {
  const bySeries = new Map<string, ImageReference[]>();
  for (const image of images) {
    const series = image.seriesKey ?? image.imageRef.split('/')[0];
    const list = bySeries.get(series);
    if (list === undefined) bySeries.set(series, [image]);
    else list.push(image);
  }
  const order = (a: ImageReference, b: ImageReference) =>
    (a.instanceNumber ?? Number.MAX_SAFE_INTEGER) - (b.instanceNumber ?? Number.MAX_SAFE_INTEGER)
    || (a.imageRef < b.imageRef ? -1 : a.imageRef > b.imageRef ? 1 : 0);
  return [...bySeries.keys()].sort().map((series) => bySeries.get(series)!.sort(order));
}

/** `count` indices spread evenly over `length` items, centred in their share (1 of 5 -> the middle one). */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const picked: T[] = [];
  for (let i = 0; i < count; i++) picked.push(items[Math.floor(((i + 0.5) * items.length) / count)]);
  return picked;
}

export class InvalidSelectionError extends Error {
  constructor(problem: string) {
    super(`Invalid image selection: ${problem}`);
    this.name = 'InvalidSelectionError';
  }
}

/** Applies the selection to the images that passed the analyzer's applicability rule. */
export function selectImagesFor(images: readonly ImageReference[], spec: ImageSelectionSpec): ImageReference[] {
  const n = spec.count;
  const needsCount = spec.strategy !== ImageSelectionStrategy.ALL && spec.strategy !== ImageSelectionStrategy.REPRESENTATIVE;
  if (needsCount && !(Number.isInteger(n) && (n as number) >= 1)) {
    throw new InvalidSelectionError(`${spec.strategy} needs a whole count of at least 1`);
  }
  const series = seriesInOrder(images);
  switch (spec.strategy) {
    case ImageSelectionStrategy.ALL:
      return series.flat();
    case ImageSelectionStrategy.REPRESENTATIVE:
      return series.map((s) => s[Math.floor((s.length - 1) / 2)]);
    case ImageSelectionStrategy.EVERY_NTH:
      return series.flatMap((s) => s.filter((_, i) => i % (n as number) === 0));
    case ImageSelectionStrategy.AT_MOST_PER_SERIES:
      return series.flatMap((s) => evenlySpaced(s, n as number));
    case ImageSelectionStrategy.AT_MOST_PER_STUDY:
      return evenlySpaced(series.flat(), n as number);
    default:
      throw new InvalidSelectionError(`unknown strategy ${String(spec.strategy)}`);
  }
}
