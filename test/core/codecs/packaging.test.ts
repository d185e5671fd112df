/**
 * The ingest Lambda asset: a small JS bundle with the codecs beside it in
 * node_modules, loaded only when a frame needs them. Needs `npx projen bundle`
 * (CI bundles before testing).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { encodeFrame, frameWords, MakeDicomOptions, makeJpeg, makePng, TransferSyntaxUid } from '../../fixtures/images';

const ASSET = path.resolve(__dirname, '../../../assets/ingest/ingest.lambda');
const MAX_BUNDLE_BYTES = 3 * 2 ** 20;

beforeAll(() => {
  if (!fs.existsSync(path.join(ASSET, 'index.js'))) throw new Error('assets/ingest/ingest.lambda is missing: run `npx projen bundle` first');
});

test('the ingest handler bundle stays under 3 MB and holds no codec', () => {
  const bundle = fs.readFileSync(path.join(ASSET, 'index.js'), 'latin1');
  expect(bundle.length).toBeLessThan(MAX_BUNDLE_BYTES);
  // Emscripten glue internals: present in every codec build, absent from our code.
  for (const glueMarker of ['readyPromiseResolve', 'CharLSWASM', 'OpenJPEGWASM']) expect(bundle).not.toContain(glueMarker);
});

test('the PNG and JPEG decoders are not in the bundle: they ship beside it and load on the first such file', () => {
  const bundle = fs.readFileSync(path.join(ASSET, 'index.js'), 'latin1');
  // pngjs's and jpeg-js's own messages, absent from our code.
  for (const decoderMarker of ['Invalid file signature', 'unknown JPEG marker']) expect(bundle).not.toContain(decoderMarker);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decoder-check-'));
  try {
    fs.symlinkSync(path.join(ASSET, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    buildSync({
      stdin: { contents: "export { decodePng } from './png'; export { decodeJpeg } from './jpeg';", resolveDir: path.resolve(__dirname, '../../../src/core/imaging') },
      bundle: true,
      platform: 'node',
      target: 'node22',
      external: ['pngjs', 'jpeg-js'],
      outfile: path.join(dir, 'decoders.js'),
      logLevel: 'silent',
    });
    fs.writeFileSync(path.join(dir, 'image.png'), makePng(8, 6, (x, y) => x * 20 + y));
    fs.writeFileSync(path.join(dir, 'image.jpg'), makeJpeg(8, 6, (x) => x * 30));
    const script = `
      const fs = require('fs');
      const decoders = require('./decoders.js');
      const loaded = () => Object.keys(require.cache).filter((f) => f.includes('node_modules')).map((f) => fs.realpathSync(f));
      const before = loaded();
      const png = decoders.decodePng(fs.readFileSync('image.png'));
      const jpeg = decoders.decodeJpeg(fs.readFileSync('image.jpg'));
      process.stdout.write(JSON.stringify({ before, after: loaded(), png: [png.image.width, png.image.height], jpeg: [jpeg.width, jpeg.height] }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })) as {
      before: string[]; after: string[]; png: number[]; jpeg: number[];
    };
    expect(out.before).toEqual([]);
    expect(out.png).toEqual([8, 6]);
    expect(out.jpeg).toEqual([8, 6]);
    expect(out.after.some((f) => f.includes('/pngjs/'))).toBe(true);
    expect(out.after.some((f) => f.includes('/jpeg-js/'))).toBe(true);
    for (const file of out.after) expect(file.startsWith(fs.realpathSync(ASSET))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the asset ships decode-only codec builds only', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full); else files.push(path.relative(ASSET, full));
    }
  };
  walk(path.join(ASSET, 'node_modules'));
  const wasm = files.filter((f) => f.endsWith('.wasm')).map((f) => path.basename(f)).sort();
  expect(wasm).toEqual(['charlswasm_decode.wasm', 'libjpegturbowasm_decode.wasm', 'openjpegwasm_decode.wasm', 'openjphjs.wasm']);
});

test('bundled codec code loads each codec lazily from the asset node_modules', () => {
  // src/core/codecs bundled exactly as the handler bundles it (same externals), next to the asset's node_modules.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-check-'));
  try {
    fs.symlinkSync(path.join(ASSET, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    buildSync({
      entryPoints: [path.resolve(__dirname, '../../../src/core/codecs/index.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      external: ['@cornerstonejs/*', 'jpeg-lossless-decoder-js'],
      outfile: path.join(dir, 'codecs.js'),
      logLevel: 'silent',
    });
    const gray: MakeDicomOptions = { rows: 16, columns: 24, bitsAllocated: 8, pixelFn: (x, y) => (x * 9 + y * 5) % 256 };
    const syntaxes = [TransferSyntaxUid.jpegBaseline, TransferSyntaxUid.jpegLossless, TransferSyntaxUid.jpegLs,
      TransferSyntaxUid.jpeg2000Lossless, TransferSyntaxUid.htj2kLossless, TransferSyntaxUid.rle];
    syntaxes.forEach((uid, i) => fs.writeFileSync(path.join(dir, `${i}.bin`), encodeFrame(uid, frameWords(gray, 0), gray)));
    const script = `
      const codecs = require('./codecs.js');
      const before = codecs.loadedCodecs().length;
      const syntaxes = ${JSON.stringify(syntaxes)};
      const geometry = { rows: 16, columns: 24, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false };
      const sums = syntaxes.map((uid, i) => {
        const samples = codecs.frameDecoderFor(uid)(require('fs').readFileSync('./' + i + '.bin'), geometry);
        return samples.length;
      });
      const glue = Object.keys(require.cache).filter((f) => f.includes('node_modules')).map((f) => require('fs').realpathSync(f));
      process.stdout.write(JSON.stringify({ before, after: codecs.loadedCodecs().sort(), sums, glue }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })) as {
      before: number; after: string[]; sums: number[]; glue: string[];
    };
    expect(out.before).toBe(0);
    expect(out.after).toEqual(['charlswasm_decode.js', 'libjpegturbowasm_decode.js', 'openjpegwasm_decode.js', 'openjphjs.js']);
    expect(out.sums).toEqual(syntaxes.map(() => 16 * 24));
    expect(out.glue.length).toBe(5);
    for (const file of out.glue) expect(file.startsWith(fs.realpathSync(ASSET))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
