/**
 * Conformance item 8: MONOCHROME1 previews are inverted (low stored values
 * white), both through the file's window and through the automatic window
 * used when the file has none, and agree with dcmtk's rendering.
 */
import { correlation, renderWithDcmtk, requireDcmtk } from './dcmtk-reference';
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDicomFrame } from '../../../src/core/preparation/dicom-image';
import { makeDicom, MakeDicomOptions } from '../../fixtures/images';

const SIZE = 48;
// A 12-bit pattern with structure in both directions, so a flipped or transposed image would not correlate.
const pattern = (x: number, y: number): number => Math.round(2000 + 1500 * Math.sin(x / 7) * Math.cos(y / 11) + 10 * x);

function preview(options: MakeDicomOptions): { ours: Uint8Array; file: Uint8Array } {
  const file = makeDicom({ rows: SIZE, columns: SIZE, bitsStored: 12, pixelFn: pattern, ...options });
  const image = renderDicomFrame(parseDicom(file));
  expect(image).toMatchObject({ width: SIZE, height: SIZE, channels: 1 });
  return { ours: image.data, file };
}

requireDcmtk();

describe('MONOCHROME1 against dcmj2pnm', () => {
  test('with a window: inverted through the file window, matching dcmtk +Wi 1', () => {
    const window = { center: 2000, width: 2400 };
    const mono1 = preview({ photometric: 'MONOCHROME1', window });
    const mono2 = preview({ photometric: 'MONOCHROME2', window });
    // Same stored values, same window: MONOCHROME1 is the exact negative of MONOCHROME2.
    expect(Array.from(mono1.ours)).toEqual(Array.from(mono2.ours, (v) => 255 - v));
    const reference = renderWithDcmtk(mono1.file, ['+Wi', '1']);
    expect(correlation(mono1.ours, reference.data)).toBeGreaterThan(0.99);
    // Sanity of the comparison itself: the un-inverted preview anti-correlates with dcmtk's MONOCHROME1.
    expect(correlation(mono2.ours, reference.data)).toBeLessThan(-0.99);
  });

  test('without a window: automatic window, still inverted, matching dcmtk +Wm', () => {
    const mono1 = preview({ photometric: 'MONOCHROME1' });
    const mono2 = preview({ photometric: 'MONOCHROME2' });
    expect(Array.from(mono1.ours)).toEqual(Array.from(mono2.ours, (v) => 255 - v));
    // The lowest stored value is the brightest pixel.
    const stored = Array.from({ length: SIZE * SIZE }, (_, i) => pattern(i % SIZE, Math.floor(i / SIZE)));
    expect(mono1.ours[stored.indexOf(Math.min(...stored))]).toBe(255);
    const reference = renderWithDcmtk(mono1.file, ['+Wm']);
    // Our automatic window is the 1st-99th percentile, dcmtk's +Wm is min-max: same direction, nearly linear.
    expect(correlation(mono1.ours, reference.data)).toBeGreaterThan(0.97);
    expect(correlation(mono2.ours, reference.data)).toBeLessThan(-0.97);
  });
});
