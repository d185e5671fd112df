/**
 * An esbuild plugin for the AWS SDK's generated schema files
 * (`@aws-sdk/client-x/dist-es/schemas/schemas_N.js`).
 *
 * Each operation's schema is an array such as
 *   `[9, n0, _GO, { [_h]: ["GET", "/{Key+}?x-id=GetObject", 200] }, ...]`
 * where `_h` is a string constant declared at the top of the file. A computed
 * key may run code (ToPropertyKey), so esbuild must keep every such array even
 * when nothing uses it: S3 alone then carries the schemas of all of its ~100
 * operations. Writing the constant's string in place of the computed key makes
 * the arrays side-effect free, and tree-shaking keeps only the operations a
 * handler sends. Unknown names and `__proto__` (which as a plain key would set
 * the prototype instead of defining a property) are left as they are.
 */
const fs = require('node:fs');

const SCHEMA_FILE = /[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/** The schema source with every computed key that names a top-level string constant written as that string. */
function inlineSchemaKeys(source) {
  const constants = new Map();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) constants.set(name, literal);
  return source.replace(COMPUTED_KEY, (computed, name) => {
    const literal = constants.get(name);
    if (literal === undefined || literal === '"__proto__"') return computed;
    return `${literal}:`;
  });
}

const inlineSchemaKeysPlugin = {
  name: 'inline-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async (args) => ({
      contents: inlineSchemaKeys(await fs.promises.readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

module.exports = { inlineSchemaKeys, inlineSchemaKeysPlugin };
