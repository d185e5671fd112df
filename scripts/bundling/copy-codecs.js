#!/usr/bin/env node
/**
 * Copies the image codecs (and the PNG/JPEG decoders) the ingest handler loads lazily into
 * <asset dir>/node_modules: per package its package.json (for the "exports"
 * map), its licence, and only the files src/core/codecs requires — decode-only
 * glue and WebAssembly where the package has them.
 * Usage: node scripts/bundling/copy-codecs.js assets/ingest/ingest.lambda
 */
const fs = require('node:fs');
const path = require('node:path');

const CODECS = {
  '@cornerstonejs/codec-charls': ['dist/charlswasm_decode.js', 'dist/charlswasm_decode.wasm'],
  '@cornerstonejs/codec-openjpeg': ['dist/openjpegwasm_decode.js', 'dist/openjpegwasm_decode.wasm'],
  // OpenJPH has no decode-only build.
  '@cornerstonejs/codec-openjph': ['dist/openjphjs.js', 'dist/openjphjs.wasm'],
  '@cornerstonejs/codec-libjpeg-turbo-8bit': ['dist/libjpegturbowasm_decode.js', 'dist/libjpegturbowasm_decode.wasm'],
  'jpeg-lossless-decoder-js': ['release/cjs/lossless.cjs'],
  // Plain PNG and JPEG uploads: pure JS, but still only loaded when such a file arrives.
  'jpeg-js': ['lib/decoder.js'],
  pngjs: fs.readdirSync(path.join(process.cwd(), 'node_modules', 'pngjs', 'lib')).map((file) => `lib/${file}`),
};
const ALWAYS = ['package.json', 'LICENSE'];

const assetDir = process.argv[2];
if (!assetDir) {
  process.stderr.write('usage: copy-codecs.js <asset dir>\n');
  process.exit(2);
}
const target = path.join(assetDir, 'node_modules');
fs.rmSync(target, { recursive: true, force: true });
let total = 0;
for (const [name, files] of Object.entries(CODECS)) {
  // Not require.resolve: the packages' "exports" maps do not expose package.json.
  const source = path.join(process.cwd(), 'node_modules', name);
  for (const file of [...ALWAYS, ...files]) {
    const from = path.join(source, file);
    if (!fs.existsSync(from)) {
      if (ALWAYS.includes(file)) continue; // not every package ships a LICENSE file
      throw new Error(`copy-codecs: ${name} lacks ${file}`);
    }
    const to = path.join(target, name, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    total += fs.statSync(to).size;
  }
}
process.stdout.write(`copy-codecs: ${Object.keys(CODECS).length} codecs, ${(total / 2 ** 20).toFixed(2)} MiB into ${target}\n`);
