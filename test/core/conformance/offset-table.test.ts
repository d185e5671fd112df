/**
 * Conformance item 3: a Basic Offset Table whose entry count differs from
 * NumberOfFrames is not trusted; frames are found by scanning the fragments,
 * and every frame decodes as it does with a correct table (and as dcmtk
 * renders it).
 */
import { correlation, renderWithDcmtk, requireDcmtk } from './dcmtk-reference';
import { parseDicom } from '../../../src/core/dicom/parse';
import { renderDecodedFrame } from '../../../src/core/preparation/dicom-image';
import { makeDicom } from '../../fixtures/images';

requireDcmtk();

const SIZE = 32;
const FRAMES = 3;
const file = makeDicom({
  rows: SIZE,
  columns: SIZE,
  bitsStored: 12,
  numberOfFrames: FRAMES,
  transferSyntax: 'jpegLossless',
  pixelFn: (x, y, _s, frame) => Math.round(2048 + 1500 * Math.sin((x + 9 * frame) / 5) * Math.cos(y / 7)),
});

/** The same file with the last Basic Offset Table entry dropped (offsets count from the first fragment, so the rest stay valid). */
function withShortOffsetTable(bytes: Buffer): Buffer {
  const pixelData = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const item = bytes.indexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]), pixelData);
  const length = bytes.readUInt32LE(item + 4);
  expect(length).toBe(FRAMES * 4);
  const out = Buffer.concat([bytes.subarray(0, item + 8 + length - 4), bytes.subarray(item + 8 + length)]);
  out.writeUInt32LE(length - 4, item + 4);
  return out;
}

describe('Basic Offset Table with fewer entries than frames', () => {
  const broken = withShortOffsetTable(file);

  test('every frame decodes to the same samples as with the correct table', () => {
    const good = parseDicom(file);
    const bad = parseDicom(broken);
    expect(bad.numberOfFrames).toBe(FRAMES);
    for (let i = 0; i < FRAMES; i++) {
      expect(Array.from(bad.decodeFrame(i).samples)).toEqual(Array.from(good.decodeFrame(i).samples));
    }
    // The frames differ from one another, so a frame read from the wrong fragment would show.
    expect(Array.from(bad.decodeFrame(2).samples)).not.toEqual(Array.from(bad.decodeFrame(0).samples));
  });

  test('the last frame previews as dcmj2pnm renders it', () => {
    const dicom = parseDicom(broken);
    const ours = renderDecodedFrame(dicom, dicom.decodeFrame(FRAMES - 1)).data;
    const reference = renderWithDcmtk(broken, ['+F', String(FRAMES), '+Wm']);
    expect(correlation(ours, reference.data)).toBeGreaterThan(0.97);
  });
});
