import { prepareObject } from '../../../src/core/preparation/prepare';
import { makeDicom, phiValues, presets } from '../../fixtures/images';
import { reasonOfAsync } from '../../support/rejections';

const options = { pseudonymKey: Buffer.alloc(32, 7) };

describe('prepareObject on realistic presets', () => {
  test.each([
    ['CT 512x512 16-bit signed', presets.ct512(), 512, 512],
    ['MR 256x256 16-bit in JPEG-LS', { ...presets.mr256(), transferSyntax: 'jpegLs' }, 256, 256],
    ['CT 512x512 in RLE', { ...presets.ct512(), transferSyntax: 'rle' }, 512, 512],
    ['CT 512x512 in HTJ2K', { ...presets.ct512(), transferSyntax: 'htj2kLossless' }, 512, 512],
    ['10-frame XA in JPEG lossless', { ...presets.multiFrame(), transferSyntax: 'jpegLosslessSv1' }, 128, 128],
    // Colour presets (US, OT) are quarantined by the default burned-in policy; their rendering is tested in test/imaging/color-voi.
  ] as const)('%s: preview and analysis PNGs, no PHI', async (_name, preset, width, height) => {
    const result = await prepareObject(makeDicom(preset), options);
    expect([result.width, result.height]).toEqual([width, height]);
    expect(result.previewPng.length).toBeGreaterThan(100);
    const text = JSON.stringify({ ...result, previewPng: undefined, analysisPng: undefined, deidentifiedDicom: undefined });
    for (const value of phiValues()) expect(text).not.toContain(value);
  });

  test('DX 3000x3000 12-bit: analysis copy within 1568 px and 3.5 MB by default', async () => {
    const result = await prepareObject(makeDicom(presets.dx3000()), options);
    expect([result.width, result.height]).toEqual([3000, 3000]);
    expect(Math.max(result.analysisWidth, result.analysisHeight)).toBe(1568);
    expect(result.analysisPng.length).toBeLessThanOrEqual(3_500_000);
  });

  test('analysisMaxDimension and analysisMaxBytes are honoured', async () => {
    const result = await prepareObject(makeDicom(presets.ct512()), { ...options, analysisMaxDimension: 300, analysisMaxBytes: 20_000 });
    expect(Math.max(result.analysisWidth, result.analysisHeight)).toBeLessThanOrEqual(300);
    expect(result.analysisPng.length).toBeLessThanOrEqual(20_000);
  });

  test.each([
    ['maxFrames', { maxFrames: 9 }, 'TOO_MANY_FRAMES'],
    ['maxDecompressedBytes', { maxDecompressedBytes: 128 * 128 * 10 - 1 }, 'TOO_LARGE'],
  ] as const)('%s is passed to the parser', async (_name, limit, reason) => {
    expect(await reasonOfAsync(() => prepareObject(makeDicom(presets.multiFrame()), { ...options, ...limit }))).toBe(reason);
  });
});
