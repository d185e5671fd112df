import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { ClinicianNotifier } from '../../../src/constructs/notifier/clinician-notifier';
import { ResultsStore } from '../../../src/constructs/results-store/results-store';
import { AnalysisWorkflow } from '../../../src/constructs/workflow/analysis-workflow';
import { expectNoNagFindings } from '../../support/nag';

test('AwsSolutions, HIPAA.Security and NIST.800.53.R5 find nothing unacknowledged', () => {
  const app = new App();
  const stack = new Stack(app, 'Nag', { env: { account: '111122223333', region: 'eu-west-1' } });
  const store = new ResultsStore(stack, 'Store');
  const notifier = new ClinicianNotifier(stack, 'Notifier', { encryptionKey: store.encryptionKey });
  const external = lambda.Function.fromFunctionAttributes(stack, 'External', {
    functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:external-model',
    role: iam.Role.fromRoleArn(stack, 'ExternalRole', 'arn:aws:iam::111122223333:role/external-model', { mutable: false }),
  });
  new AnalysisWorkflow(stack, 'Workflow', {
    resultsStore: store,
    notifier,
    analyzers: [Analyzer.imageQuality(), Analyzer.lambdaFunction(external, { name: 'external' })],
  });
  expectNoNagFindings(app);
});
