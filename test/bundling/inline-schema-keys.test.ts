/**
 * The esbuild plugin that lets tree-shaking drop the AWS SDK operation schemas
 * a handler never sends (scripts/bundling/inline-schema-keys.js).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, Plugin } from 'esbuild';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- build tooling is plain CommonJS (runs without ts-node)
const { inlineSchemaKeys, inlineSchemaKeysPlugin } = require('../../scripts/bundling/inline-schema-keys') as {
  inlineSchemaKeys: (source: string) => string;
  inlineSchemaKeysPlugin: Plugin;
};

const REPO = path.resolve(__dirname, '../..');
const evaluate = (source: string): unknown => new Function(`${source}\nreturn schemas;`)();

describe('inlineSchemaKeys', () => {
  const source = [
    'const _h = "http";',
    'const _e = "error";',
    'const _q = "quote\\"d";',
    'const _p = "__proto__";',
    'const schemas = [',
    '  [9, "ns", "GetObject", { [_h]: ["GET", "/{Key+}?x-id=GetObject", 200], [_e]: _h }],',
    '  { [_q]: 1, [_p]: 2, [_unknown]: 3 },',
    '];',
  ].join('\n');
  const withUnknown = `const _unknown = "u";\n${source}`;

  test('writes each computed key that names a string constant as that string', () => {
    const inlined = inlineSchemaKeys(withUnknown);
    expect(inlined).toContain('{ "http": ["GET", "/{Key+}?x-id=GetObject", 200], "error": _h }');
    expect(inlined).toContain('"quote\\"d": 1');
  });

  test('the schema objects are the same after the rewrite', () => {
    expect(evaluate(inlineSchemaKeys(withUnknown))).toEqual(evaluate(withUnknown));
  });

  test('leaves __proto__ computed (as a plain key it would set the prototype) and names it does not know', () => {
    const inlined = inlineSchemaKeys(source);
    expect(inlined).toContain('[_p]: 2');
    expect(inlined).toContain('[_unknown]: 3');
    const protoHolder = (evaluate(withUnknown) as Array<Record<string, unknown>>)[1];
    expect(Object.getOwnPropertyNames(protoHolder)).toContain('__proto__');
  });
});

describe('bundling the S3 client', () => {
  const bundleS3 = async (plugins: Plugin[]): Promise<string> => {
    const result = await build({
      stdin: { contents: "export { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';", resolveDir: REPO },
      bundle: true,
      platform: 'node',
      target: 'node22',
      mainFields: ['module', 'main'],
      minify: true,
      write: false,
      external: ['@aws-sdk/credential-provider-*', '@smithy/credential-provider-imds'],
      plugins,
      logLevel: 'silent',
    });
    return result.outputFiles[0].text;
  };

  test('keeps only the operations sent: without the plugin every S3 operation schema stays', async () => {
    const [plain, trimmed] = await Promise.all([bundleS3([]), bundleS3([inlineSchemaKeysPlugin])]);
    for (const bundle of [plain, trimmed]) expect(bundle).toContain('x-id=GetObject');
    expect(plain).toContain('x-id=UploadPartCopy');
    expect(trimmed).not.toContain('x-id=UploadPartCopy');
    expect(trimmed).not.toContain('?select&select-type=2');
    expect(trimmed.length).toBeLessThan(plain.length - 40_000);
  });

  test('the ingest asset is built with it', () => {
    const asset = path.join(REPO, 'assets/ingest/ingest.lambda/index.js');
    if (!fs.existsSync(asset)) throw new Error('assets/ingest/ingest.lambda is missing: run `npx projen bundle` first');
    const bundle = fs.readFileSync(asset, 'utf8');
    expect(bundle).toContain('x-id=GetObject');
    expect(bundle).not.toContain('x-id=UploadPartCopy');
  });
});
