/**
 * The main job for a newcomer: synthesize the example system (no AWS account
 * needed), check it against cdk-nag, and print what it contains.
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { describeTemplate, printDescription } from './describe-template';
import { buildExampleApp } from '../examples/app';
import { acknowledgements, formatFindings, nagFindings } from '../test/support/nag';

const outdir = path.join(__dirname, '..', 'cdk.out', 'example');
const { app, stack } = buildExampleApp(new App({ outdir }));
const assembly = app.synth();
const artifact = assembly.getStackByName(stack.stackName);

printDescription(describeTemplate(artifact.template));

const findings = nagFindings(app);
const acks = acknowledgements(app);
process.stdout.write(`\ncdk-nag (AwsSolutions, HIPAA.Security, NIST.800.53.R5): ${findings.length} unacknowledged finding(s), ${acks.length} acknowledgement(s) with reasons\n`);
process.stdout.write(`Template: ${path.relative(process.cwd(), path.join(outdir, artifact.templateFile))}\n`);
if (findings.length > 0) {
  process.stderr.write(`${formatFindings(findings)}\n`);
  process.exitCode = 1;
}
