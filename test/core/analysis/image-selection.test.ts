import { series } from './fixtures';
import { evenlySpaced, selectImagesFor, seriesInOrder } from '../../../src/core/analysis/image-selection';
import { ImageSelectionStrategy } from '../../../src/shared/analysis-plan';

const refs = (images: Array<{ imageRef: string }>) => images.map((i) => i.imageRef);

describe('series in reading order', () => {
  test('groups by series and orders by Instance Number, not by upload order or key', () => {
    const b = series('b', 3).reverse();
    const a = series('a', 2);
    const ordered = seriesInOrder([...b, ...a]);
    expect(ordered.map(refs)).toEqual([['a/i0001', 'a/i0002'], ['b/i0001', 'b/i0002', 'b/i0003']]);
  });

  test('images without an Instance Number follow the numbered ones, by image ref', () => {
    const [one] = series('s', 1);
    const unnumbered = [{ ...one, imageRef: 's/z', instanceNumber: undefined }, { ...one, imageRef: 's/y', instanceNumber: undefined }];
    expect(refs(seriesInOrder([...unnumbered, one])[0])).toEqual(['s/i0001', 's/y', 's/z']);
  });
});

describe('selection strategies', () => {
  const ct = [...series('ax', 300), ...series('cor', 101), ...series('scout', 1)];

  test('ALL keeps every image, series by series in reading order', () => {
    const selected = selectImagesFor(ct, { strategy: ImageSelectionStrategy.ALL });
    expect(selected).toHaveLength(402);
    expect(selected[0].imageRef).toBe('ax/i0001');
    expect(selected[300].imageRef).toBe('cor/i0001');
  });

  test('REPRESENTATIVE is the middle image of each series', () => {
    expect(refs(selectImagesFor(ct, { strategy: ImageSelectionStrategy.REPRESENTATIVE }))).toEqual(['ax/i0150', 'cor/i0051', 'scout/i0001']);
  });

  test('EVERY_NTH starts with the first image of each series', () => {
    const selected = refs(selectImagesFor(ct, { strategy: ImageSelectionStrategy.EVERY_NTH, count: 100 }));
    expect(selected).toEqual(['ax/i0001', 'ax/i0101', 'ax/i0201', 'cor/i0001', 'cor/i0101', 'scout/i0001']);
  });

  test('AT_MOST_PER_SERIES spreads k images evenly over each series, and keeps short series whole', () => {
    const selected = refs(selectImagesFor(ct, { strategy: ImageSelectionStrategy.AT_MOST_PER_SERIES, count: 3 }));
    expect(selected).toEqual(['ax/i0051', 'ax/i0151', 'ax/i0251', 'cor/i0017', 'cor/i0051', 'cor/i0085', 'scout/i0001']);
  });

  test('AT_MOST_PER_STUDY caps the whole study', () => {
    expect(selectImagesFor(ct, { strategy: ImageSelectionStrategy.AT_MOST_PER_STUDY, count: 10 })).toHaveLength(10);
    expect(selectImagesFor(ct, { strategy: ImageSelectionStrategy.AT_MOST_PER_STUDY, count: 1000 })).toHaveLength(402);
  });

  test.each([ImageSelectionStrategy.EVERY_NTH, ImageSelectionStrategy.AT_MOST_PER_SERIES, ImageSelectionStrategy.AT_MOST_PER_STUDY])(
    '%s without a whole count of at least 1 is refused', (strategy) => {
      for (const count of [undefined, 0, 1.5]) {
        expect(() => selectImagesFor(ct, { strategy, count })).toThrow(/needs a whole count of at least 1/);
      }
    });

  test('evenlySpaced picks the middle of each share', () => {
    expect(evenlySpaced([0, 1, 2, 3, 4], 1)).toEqual([2]);
    expect(evenlySpaced([0, 1, 2, 3], 2)).toEqual([1, 3]);
    expect(evenlySpaced([0, 1], 5)).toEqual([0, 1]);
  });
});
