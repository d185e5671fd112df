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
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  },

  devDeps: [
    `aws-cdk-lib@${TEST_CDK_VERSION}`,
    'node@^22',
    'cdk-nag@3.0.2',
    'esbuild',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
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
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/batch',
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
  ],
});

// ---- Lambda handlers: every src/**/*.lambda.ts becomes assets/<dir>/<name>.lambda/index.js
function findHandlers(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return findHandlers(full);
    return entry.name.endsWith('.lambda.ts') ? [full] : [];
  });
}
// Only the ingest handler decodes images. Its codecs (WebAssembly builds, and the
// PNG/JPEG decoders) stay out of the bundle: copy-codecs.js puts their decode-only
// code into the asset's node_modules, and src/codecs and src/imaging require each
// one only when a file needs it.
const CODEC_HANDLERS = new Set(['src/ingest/ingest.lambda.ts']);
for (const entrypoint of findHandlers('src').sort()) {
  const bundle = project.bundler.addBundle(entrypoint, { platform: 'node', target: 'node22', watchTask: false });
  // scripts/bundling/bundle-handler.js holds the esbuild settings: the CLI that
  // projen writes cannot run the plugin that trims the AWS SDK's schemas.
  const codecs = CODEC_HANDLERS.has(entrypoint);
  bundle.bundleTask.reset(`node scripts/bundling/bundle-handler.js ${entrypoint} ${bundle.outfile}${codecs ? ' --codecs' : ''}`);
  if (codecs) bundle.bundleTask.exec(`node scripts/bundling/copy-codecs.js ${path.posix.dirname(bundle.outfile)}`);
}

// ---- Example app, tests and tooling are type-checked and linted too.
// (each of examples/, scripts/ and bench/ has its own tsconfig.json extending test/'s)
project.eslint?.addLintPattern('examples');
// Code bundled into Lambda assets may import devDependencies (esbuild inlines
// them); construct code may not, since consumers install only peers.
for (const bundled of ['examples/**', 'scripts/**', 'src/**/*.lambda.ts', 'src/runtime/**', 'src/store/**', 'src/steps/**', 'src/imaging/**', 'src/dicom/**', 'src/ingest-core/**', 'src/codecs/**', 'src/deid/**']) {
  project.eslint?.allowDevDeps(bundled);
}
project.eslint?.addLintPattern('scripts');
project.npmignore?.exclude('/examples/', '/scripts/', '/bench/', '/.ci/', '/cdk.out/');
project.gitignore.exclude('cdk.out/', 'examples/cdk.out/', '.tmp/', 'demo-output/');

project.addTask('synth:example', {
  description: 'Synthesize the example stack (no AWS account needed) and print what it contains',
  exec: 'ts-node --project scripts/tsconfig.json scripts/synth-example.ts',
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
project.addTask('test:e2e', {
  description: 'End-to-end tests on the local runner (faults, PHI scan, restarts, headless Chromium)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'e2e-junit.xml' },
  steps: [
    { spawn: 'bundle' },
    { exec: "jest --ci --runInBand --coverage=false --testMatch '<rootDir>/test/e2e/**/*.e2e.ts'" },
  ],
});
project.addTask('bench:ingest', {
  description: 'Benchmark prepareObject against pydicom + numpy + Pillow and the zlib floor (CT 512x512, DX 3000x3000)',
  exec: 'ts-node --transpile-only --project bench/tsconfig.json bench/ingest/run.ts',
});

// PyPI is unreachable, so Python bindings are generated as source (--code-only)
// and byte-compiled to prove they are valid Python.
const packagePython = project.tasks.tryFind('package:python');
packagePython?.reset('jsii-pacmak -v --target python --code-only --outdir dist/python-src');
packagePython?.exec('python3 scripts/check-python-bindings.py dist/python-src');

project.addTask('check', {
  description: 'Everything CI runs: build (compile, lint, test, docgen) and the Python bindings',
  steps: [
    { spawn: 'build' },
    // Outside CI, build's package-all has already generated them.
    { spawn: 'package:python', condition: 'node -e "if (!process.env.CI) process.exit(1)"' },
  ],
});

project.synth();
