#!/usr/bin/env node
/**
 * Bundles one Lambda handler into its asset (one minified file), with the AWS
 * SDK inside it rather than taken from the Lambda runtime: the SDK's ES module
 * builds ('module' first) let esbuild keep only the commands a handler sends,
 * and one small file compiles faster at cold start than the runtime's whole
 * CommonJS clients (bench:ingest measures both).
 * Usage: node scripts/bundling/bundle-handler.js <entry.lambda.ts> <outfile> [--codecs]
 *   --codecs  leave the image codecs out of the bundle (copy-codecs.js
 *             puts them beside it, and src/core/codecs loads each on first need)
 */
const esbuild = require('esbuild');
const { inlineSchemaKeysPlugin } = require('./inline-schema-keys');

// The SDK's credential chain reaches these only through dynamic import() and
// only when the environment holds no credentials; Lambda always sets them.
// Left out of the bundle (about 110 KB less to compile at cold start); should
// one ever be reached, the runtime's own copy under /var/runtime answers.
const CREDENTIAL_PROVIDERS_LAMBDA_NEVER_USES = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
];
// Image codecs (WebAssembly builds, and the PNG/JPEG decoders).
const CODEC_PACKAGES = ['@cornerstonejs/*', 'jpeg-lossless-decoder-js', 'pngjs', 'jpeg-js'];

const [entry, outfile, ...flags] = process.argv.slice(2);
if (!entry || !outfile || flags.some((flag) => flag !== '--codecs')) {
  process.stderr.write('usage: bundle-handler.js <entry.lambda.ts> <outfile> [--codecs]\n');
  process.exit(2);
}

esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  external: [...CREDENTIAL_PROVIDERS_LAMBDA_NEVER_USES, ...(flags.includes('--codecs') ? CODEC_PACKAGES : [])],
  plugins: [inlineSchemaKeysPlugin],
  logLevel: 'warning',
}).catch(() => process.exit(1)); // esbuild has already printed the errors
