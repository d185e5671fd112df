import { decodePng } from '../../../src/core/imaging/png';
import { encodePng } from '../../../src/core/imaging/png-encode';
import { pngChunkTypes, seededRandom } from '../../fixtures/images';

describe('encodePng', () => {
  test('round-trips gray pixels', async () => {
    const data = Uint8Array.from({ length: 30 }, (_, i) => i * 8);
    const png = await encodePng({ width: 6, height: 5, channels: 1, data });
    const decoded = decodePng(png);
    expect(decoded.bitDepth === 8 && decoded.image).toMatchObject({ width: 6, height: 5, channels: 1, data });
  });

  test('round-trips RGB pixels', async () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => 255 - i * 20);
    const decoded = decodePng(await encodePng({ width: 2, height: 2, channels: 3, data }));
    expect(decoded.bitDepth === 8 && decoded.image).toMatchObject({ channels: 3, data });
  });

  test('images of different sizes in a row each round-trip (the filter buffer is reused between calls)', async () => {
    const random = seededRandom(3);
    const images = [[300, 200, 1], [7, 5, 3], [64, 64, 1], [1, 1, 1]].map(([width, height, channels]) => ({
      width, height, channels: channels as 1 | 3, data: Uint8Array.from({ length: width * height * channels }, () => Math.floor(random() * 256)),
    }));
    const encoded = await Promise.all(images.map((image) => encodePng(image)));
    encoded.forEach((png, i) => {
      const decoded = decodePng(png);
      expect(decoded.bitDepth === 8 && decoded.image).toMatchObject({ width: images[i].width, height: images[i].height, data: images[i].data });
    });
  });

  test('writes only IHDR, IDAT and IEND (no tEXt, eXIf, tIME, gAMA)', async () => {
    const png = await encodePng({ width: 64, height: 64, channels: 1, data: new Uint8Array(4096).fill(9) });
    expect(pngChunkTypes(png)).toEqual(['IHDR', 'IDAT', 'IEND']);
  });
});
