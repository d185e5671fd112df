/**
 * The four layers of src/ (DESIGN.md, "Layers") as lint enforces them: the
 * committed .eslintrc.json's layer rules, run on probe files placed in each
 * layer, must refuse every import that runs back up or reaches a package the
 * layer must not use, and allow the ones that run down.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint, Linter, loadESLint } from 'eslint';

const REPO = path.resolve(__dirname, '..', '..');

interface EslintRc {
  readonly parser: string;
  readonly settings: Record<string, unknown>;
  readonly rules: Linter.RulesRecord;
  readonly overrides: Linter.ConfigOverride[];
}

/** Only the layer rules of the committed config (the rest needs type information, which probes lack). */
async function layerLinter(): Promise<ESLint> {
  const rc = JSON.parse(fs.readFileSync(path.join(REPO, '.eslintrc.json'), 'utf8').replace(/^\/\/.*\n/, '')) as EslintRc;
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  return new LegacyESLint({
    cwd: REPO,
    useEslintrc: false,
    overrideConfig: {
      root: true,
      parser: rc.parser,
      parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
      plugins: ['import'],
      settings: rc.settings,
      rules: { 'import/no-restricted-paths': rc.rules['import/no-restricted-paths'] },
      overrides: rc.overrides.filter((o) => o.rules?.['no-restricted-imports'] !== undefined),
    },
  }) as ESLint;
}

async function ruleIds(file: string, source: string): Promise<string[]> {
  const [result] = await (await layerLinter()).lintText(`${source}\nexport {};\n`, { filePath: path.join(REPO, file) });
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const PATHS = 'import/no-restricted-paths';
const PACKAGES = 'no-restricted-imports';

describe('lint refuses imports across the layers', () => {
  test.each([
    ['core imports the AWS SDK', 'src/core/imaging/probe.ts', "import '@aws-sdk/client-s3';", PACKAGES],
    ['core imports aws-cdk-lib', 'src/core/imaging/probe.ts', "import 'aws-cdk-lib';", PACKAGES],
    ['core imports constructs', 'src/core/dicom/probe.ts', "import 'constructs';", PACKAGES],
    ['core imports Powertools', 'src/core/dicom/probe.ts', "import '@aws-lambda-powertools/logger';", PACKAGES],
    ['core imports runtime', 'src/core/imaging/probe.ts', "import '../../runtime/lambda/lazy';", PATHS],
    ['core imports constructs code', 'src/core/imaging/probe.ts', "import '../../constructs/helpers/grants';", PATHS],
    ['runtime imports aws-cdk-lib', 'src/runtime/steps/probe.ts', "import 'aws-cdk-lib/aws-lambda';", PACKAGES],
    ['runtime imports constructs', 'src/runtime/steps/probe.ts', "import 'constructs';", PACKAGES],
    ['runtime imports a construct', 'src/runtime/steps/probe.ts', "import '../../constructs/results-store/results-store';", PATHS],
    ['a handler imports a construct', 'src/runtime/handlers/ingest/probe.lambda.ts', "import '../../../constructs/ingest/imaging-ingest';", PATHS],
    ['constructs import runtime code', 'src/constructs/workflow/probe.ts', "import '../../runtime/steps/select-images';", PATHS],
    ['constructs import the AWS SDK', 'src/constructs/workflow/probe.ts', "import '@aws-sdk/client-sfn';", PACKAGES],
    ['shared imports core', 'src/shared/probe.ts', "import '../core/pseudonym/pseudonymize';", PATHS],
    ['shared imports runtime', 'src/shared/probe.ts', "import '../runtime/lambda/env';", PATHS],
    ['shared imports aws-cdk-lib', 'src/shared/probe.ts', "import 'aws-cdk-lib';", PACKAGES],
  ])('%s', async (_case, file, source, rule) => {
    expect(await ruleIds(file, source)).toContain(rule);
  });
});

describe('lint allows imports that run down the layers', () => {
  test.each([
    ['constructs use aws-cdk-lib, core and shared', 'src/constructs/ingest/probe.ts',
      "import 'aws-cdk-lib/aws-lambda';\nimport '../../core/deid/settings';\nimport '../../shared/env';"],
    ['runtime uses the SDK, Powertools, core and shared', 'src/runtime/steps/probe.ts',
      "import '@aws-sdk/client-s3';\nimport '@aws-lambda-powertools/logger';\nimport '../../core/preparation';\nimport '../../shared/records';"],
    ['core uses shared and pure libraries', 'src/core/imaging/probe.ts', "import 'pngjs';\nimport '../../shared/rejection';"],
    ['the entry point exports constructs and shared', 'src/index.ts', "import './constructs/pipeline/medical-imaging-pipeline';\nimport './shared/analyzer-result';"],
  ])('%s', async (_case, file, source) => {
    expect(await ruleIds(file, source)).toEqual([]);
  });
});

test('src/ holds exactly the four layer folders and index.ts', () => {
  const entries = fs.readdirSync(path.join(REPO, 'src'), { withFileTypes: true })
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  expect(entries).toEqual(['constructs/', 'core/', 'index.ts', 'runtime/', 'shared/']);
});

test('every Lambda entry point lives under src/runtime/handlers/<construct>/', () => {
  const handlers: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.lambda.ts')) handlers.push(path.relative(REPO, full));
    }
  };
  walk(path.join(REPO, 'src'));
  expect(handlers.length).toBeGreaterThan(0);
  for (const handler of handlers) expect(handler).toMatch(/^src\/runtime\/handlers\/[a-z-]+\/[a-z-]+\.lambda\.ts$/);
});
