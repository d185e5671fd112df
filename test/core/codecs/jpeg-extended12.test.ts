/* eslint-disable no-bitwise -- pixel patterns and marker bytes are bitwise by nature */
/**
 * 12-bit JPEG extended (1.2.840.10008.1.2.4.51, SOF1, P = 12): files
 * compressed by dcmtk's dcmcjpeg (an independent encoder) decode close to
 * the original samples; restart intervals (which dcmcjpeg cannot write) come
 * from the test encoder; damaged codestreams are typed rejections.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FrameGeometry } from '../../../src/core/codecs/frame';
import { decodeJpegExtended12 } from '../../../src/core/codecs/jpeg-extended12';
import { readJpegFrameHeader } from '../../../src/core/codecs/jpeg-header';
import { CodecRejection } from '../../../src/core/codecs/rejection';
import { parseDicom } from '../../../src/core/dicom/parse';
import { encodeJpegExtended12 } from '../../fixtures/encoders/jpeg-extended12';
import { frameWords, makeDicom, MakeDicomOptions, seededRandom, TransferSyntaxUid } from '../../fixtures/images';
import { reasonOf } from '../../support/rejections';

const MAX = 4095;

function dcmcjpegAvailable(): boolean {
  try {
    execFileSync('dcmcjpeg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let dir: string;
beforeAll(() => {
  // Not a skip: CI installs dcmtk, and without it these files cannot be made.
  if (!dcmcjpegAvailable()) throw new Error('dcmcjpeg (dcmtk) is required for the 12-bit JPEG extended tests: apt-get install dcmtk');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jpeg-extended12-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `options` uncompressed and compresses it with `dcmcjpeg +ee` (extended sequential, 12 bits/sample). */
function compressWithDcmtk(name: string, options: MakeDicomOptions): Buffer {
  const input = path.join(dir, `${name}.dcm`);
  const output = path.join(dir, `${name}.jpeg.dcm`);
  fs.writeFileSync(input, makeDicom(options));
  execFileSync('dcmcjpeg', ['+ee', '+bt', input, output], { stdio: 'pipe' });
  return fs.readFileSync(output);
}

interface ErrorFigures { readonly mean: number; readonly max: number }

function errorOf(decoded: ArrayLike<number>, original: ArrayLike<number>): ErrorFigures {
  expect(decoded.length).toBe(original.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < original.length; i++) {
    const e = Math.abs(decoded[i] - original[i]);
    sum += e;
    if (e > max) max = e;
  }
  return { mean: sum / original.length, max };
}

const noise = (seed: number) => {
  const random = seededRandom(seed);
  const values = Array.from({ length: 128 * 128 }, () => Math.floor(random() * 4096));
  return (x: number, y: number) => values[(y * 128 + x) % values.length];
};

/**
 * Content for dcmcjpeg at its default quality 90. Measured with dcmtk 3.6.7: mean error 0.56 (gradient)
 * to 3.1 (noise), max 2 (gradient) to 14 (of 4095); the bounds below (mean < 0.25%, max <= 1%) leave about 3x margin.
 */
const IMAGES: ReadonlyArray<[string, MakeDicomOptions]> = [
  ['64x48 mixed', { rows: 64, columns: 48, pixelFn: (x, y) => (x * 97 + y * 61 + ((x ^ y) % 13)) % 4096 }],
  ['smooth gradient 96x80', { rows: 96, columns: 80, pixelFn: (x, y) => Math.round((x / 79) * 2000 + (y / 95) * 2000) }],
  ['noise 40x56', { rows: 40, columns: 56, pixelFn: noise(7) }],
  ['odd size 37x29 (partial edge blocks)', { rows: 37, columns: 29, pixelFn: (x, y) => (x * 131 + y * y * 7) % 4096 }],
  ['0/4095 squares off the block grid (clamping)', { rows: 32, columns: 32, pixelFn: (x, y) => (((x + 3) >> 3) + ((y + 5) >> 3)) % 2 ? 4095 : 0 }],
  ['2 frames', { rows: 24, columns: 40, numberOfFrames: 2, pixelFn: (x, y, _s, f) => (x * 50 + y * 30 + f * 900) % 4096 }],
];

describe('dcmcjpeg +ee (12-bit extended sequential) files decode close to the original', () => {
  test.each(IMAGES)('%s', (name, extra) => {
    const options: MakeDicomOptions = { bitsAllocated: 16, bitsStored: 12, ...extra };
    const parsed = parseDicom(compressWithDcmtk(name.replace(/\W+/g, '-'), options));
    expect(parsed.transferSyntaxUid).toBe(TransferSyntaxUid.jpegExtended);
    for (let f = 0; f < parsed.numberOfFrames; f++) {
      const frame = parsed.decodeFrame(f);
      expect(frame.samples).toBeInstanceOf(Uint16Array);
      const figures = errorOf(frame.samples, frameWords(options, f));
      expect(figures.mean).toBeLessThan(0.0025 * MAX);
      expect(figures.max).toBeLessThanOrEqual(0.01 * MAX);
      for (const v of frame.samples) expect(v).toBeLessThanOrEqual(MAX);
    }
  });

  test('the dcmtk codestream really is SOF1 with 12-bit precision', () => {
    const bytes = compressWithDcmtk('header', { rows: 16, columns: 16, bitsAllocated: 16, bitsStored: 12 });
    const soi = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    expect(readJpegFrameHeader(bytes.subarray(soi))).toMatchObject({ marker: 0xc1, precision: 12, components: 1 });
  });
});

describe('restart intervals (test encoder)', () => {
  const base: MakeDicomOptions = {
    rows: 45,
    columns: 70,
    bitsAllocated: 16,
    bitsStored: 12,
    transferSyntax: 'jpegExtended',
    pixelFn: (x, y) => (x * 53 + y * 29) % 4096,
  };

  test.each([0, 1, 3, 7, 9, 1000])('interval %i decodes', (interval) => {
    const options = { ...base, jpegRestartInterval: interval };
    const parsed = parseDicom(makeDicom(options));
    const figures = errorOf(parsed.decodeFrame(0).samples, frameWords(options, 0));
    // Quantizer 4: close to lossless.
    expect(figures.mean).toBeLessThan(2);
    expect(figures.max).toBeLessThanOrEqual(8);
  });

  const geometry: FrameGeometry = { rows: 24, columns: 24, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: false };
  const words = Uint16Array.from({ length: 24 * 24 }, (_, i) => (i * 157) % 4096);

  test('a wrong RSTn number: CORRUPT_IMAGE', () => {
    const encoded = encodeJpegExtended12(words, geometry, { restartInterval: 2 });
    const rst = encoded.findIndex((b, i) => b === 0xff && encoded[i + 1] === 0xd1);
    expect(rst).toBeGreaterThan(0);
    encoded[rst + 1] = 0xd2;
    expect(() => decodeJpegExtended12(encoded, geometry)).toThrow(expect.objectContaining({ reasonCode: 'CORRUPT_IMAGE' }));
  });

  test('restart markers without DRI: a marker mid-scan is CORRUPT_IMAGE', () => {
    const encoded = Buffer.from(encodeJpegExtended12(words, geometry, { restartInterval: 2 }));
    const dri = encoded.indexOf(Buffer.from([0xff, 0xdd, 0x00, 0x04]));
    encoded[dri + 5] = 0; // restart interval 0
    expect(() => decodeJpegExtended12(encoded, geometry)).toThrow(expect.objectContaining({ reasonCode: 'CORRUPT_IMAGE' }));
  });
});

describe('refusals and damaged codestreams', () => {
  const geometry: FrameGeometry = { rows: 16, columns: 24, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: false };
  const words = Uint16Array.from({ length: 16 * 24 }, (_, i) => (i * 611) % 4096);
  const encoded = encodeJpegExtended12(words, geometry, { restartInterval: 3 });

  function outcome(bytes: Uint8Array, g: FrameGeometry = geometry): string {
    try {
      const samples = decodeJpegExtended12(bytes, g);
      expect(samples.length).toBe(g.rows * g.columns);
      return 'decoded';
    } catch (e) {
      if (!(e instanceof CodecRejection)) throw e;
      return e.reasonCode;
    }
  }

  test('SOF dimensions or BitsAllocated that disagree with the DICOM header: CORRUPT_IMAGE before decoding', () => {
    expect(outcome(encoded)).toBe('decoded');
    expect(outcome(encoded, { ...geometry, rows: 17 })).toBe('CORRUPT_IMAGE');
    expect(outcome(encoded, { ...geometry, columns: 65535 })).toBe('CORRUPT_IMAGE');
    expect(outcome(encoded, { ...geometry, bitsAllocated: 8 })).toBe('CORRUPT_IMAGE');
    expect(outcome(encoded, { ...geometry, samplesPerPixel: 3 })).toBe('CORRUPT_IMAGE');
  });

  test('three-component 12-bit: UNSUPPORTED_TRANSFER_SYNTAX', () => {
    const colour = Buffer.from(encoded);
    const sof = colour.indexOf(Buffer.from([0xff, 0xc1]));
    colour[sof + 9] = 3; // Nf
    expect(outcome(colour, { ...geometry, samplesPerPixel: 3 })).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
  });

  test('cut at every length: a typed rejection, never a hang or an over-read', () => {
    // Any cut short of EOI loses a header or bits the scan needs (the last byte's padding is under 8 bits).
    for (let n = 0; n < encoded.length - 2; n++) expect(outcome(encoded.subarray(0, n))).toBe('CORRUPT_IMAGE');
    // Without EOI every needed bit is still there.
    expect(outcome(encoded.subarray(0, encoded.length - 2))).toBe('decoded');
  });

  test('random byte damage: decoded or CORRUPT_IMAGE, nothing else', () => {
    const random = seededRandom(12);
    for (let trial = 0; trial < 2000; trial++) {
      const damaged = Uint8Array.from(encoded);
      const hits = 1 + Math.floor(random() * 4);
      for (let h = 0; h < hits; h++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      expect(['CORRUPT_IMAGE', 'decoded']).toContain(outcome(damaged));
    }
  });

  test('an invalid Huffman table (more codes than a length holds): CORRUPT_IMAGE', () => {
    const bad = Buffer.from(encoded);
    const dht = bad.indexOf(Buffer.from([0xff, 0xc4]));
    // DC table: three 1-bit codes (only two exist); the count of values stays 16.
    bad[dht + 5 + 0] = 3;
    bad[dht + 5 + 4] = 13;
    expect(outcome(bad)).toBe('CORRUPT_IMAGE');
  });
});

// Speed is the benchmark's business (npm run bench:ingest), not a unit test's.
test('a full-size 512x512 12-bit frame decodes accurately', () => {
  const options: MakeDicomOptions = {
    rows: 512, columns: 512, bitsAllocated: 16, bitsStored: 12, transferSyntax: 'jpegExtended', pixelFn: (x, y) => (x * 7 + y * 3) % 4096,
  };
  const parsed = parseDicom(makeDicom(options));
  const samples = parsed.decodeFrame(0).samples;
  expect(errorOf(samples, frameWords(options, 0)).max).toBeLessThanOrEqual(8);
});

test('parse-level: a damaged 12-bit file is an InputRejection, CORRUPT_IMAGE', () => {
  const bytes = Buffer.from(makeDicom({ rows: 32, columns: 32, bitsAllocated: 16, bitsStored: 12, transferSyntax: 'jpegExtended' }));
  const end = bytes.length - 8;
  for (let i = end - 200; i < end - 20; i++) bytes[i] = (i * 37) & 0xff;
  expect(reasonOf(() => parseDicom(bytes).decodeFrame(0))).toBe('CORRUPT_IMAGE');
});
