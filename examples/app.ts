import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { ExampleStack } from './example-stack';

/**
 * Builds the example app. E-mail subscribers come from context:
 *   cdk deploy -c notificationEmails=radiology@example.org,oncall@example.org
 */
export function buildExampleApp(app: App = new App()): { app: App; stack: ExampleStack } {
  const emails = String(app.node.tryGetContext('notificationEmails') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const stack = new ExampleStack(app, 'MedicalImagingPipelineExample', {
    notificationEmails: emails,
    description: 'cdk-medical-imaging-pipeline example: serverless medical-imaging AI pipeline',
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
  );
  return { app, stack };
}

if (require.main === module) {
  buildExampleApp().app.synth();
}
