import { renderGray } from '../../../src/core/imaging/render';

describe('renderGray with a VOI LUT', () => {
  const lut = { firstMapped: 10, entries: [0, 100, 255], bits: 8 };

  test('maps modality values through the table and reports the LUT input range', () => {
    const rendered = renderGray({ width: 5, height: 1, samples: Uint16Array.from([9, 10, 11, 12, 13]), voiLut: lut });
    expect(Array.from(rendered.image.data)).toEqual([0, 0, 100, 255, 255]);
    expect(rendered.window).toEqual({ center: 11.5, width: 3, source: 'voi-lut' });
  });

  test('fractional modality values (rescale) take the nearest entry', () => {
    // slope 0.5: stored 21 -> 10.5 -> entry 11; stored 23 -> 11.5 -> entry 12.
    const rendered = renderGray({ width: 3, height: 1, samples: Uint16Array.from([20, 21, 23]), rescaleSlope: 0.5, voiLut: lut });
    expect(Array.from(rendered.image.data)).toEqual([0, 100, 255]);
  });

  test('entries above the declared range are clamped', () => {
    const voiLut = { firstMapped: 0, entries: [2047, 9999], bits: 11 };
    const rendered = renderGray({ width: 2, height: 1, samples: Uint16Array.from([0, 1]), voiLut });
    expect(Array.from(rendered.image.data)).toEqual([255, 255]);
  });

  test('a table it cannot use is a programming error', () => {
    const samples = Uint16Array.from([0]);
    expect(() => renderGray({ width: 1, height: 1, samples, voiLut: { firstMapped: 0, entries: [], bits: 8 } })).toThrow(RangeError);
    expect(() => renderGray({ width: 1, height: 1, samples, voiLut: { firstMapped: 0, entries: [1], bits: 0 } })).toThrow(RangeError);
    expect(() => renderGray({ width: 1, height: 1, samples, voiLut: { firstMapped: NaN, entries: [1], bits: 8 } })).toThrow(RangeError);
  });
});
