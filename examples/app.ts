import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { ExampleStack } from './example-stack';

/**
 * Builds the example app. E-mail subscribers, workflow settings and the AI
 * analyzers that need something in the account first come from context:
 *   cdk deploy -c notificationEmails=radiology@example.org,oncall@example.org
 *   cdk deploy -c autoReleaseThreshold=0.5 -c quietPeriodSeconds=120
 *   cdk deploy -c bedrockModelId=us.anthropic.claude-3-5-sonnet-20241022-v2:0 -c sageMakerEndpointName=cxr-detector
 *   cdk deploy -c referencedBucketName=hospital-archive -c referencedKeyPrefix=studies/
 *   cdk deploy -c structuredReportForImages=true
 */
export function buildExampleApp(app: App = new App()): { app: App; stack: ExampleStack } {
  const emails = String(app.node.tryGetContext('notificationEmails') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const stack = new ExampleStack(app, 'MedicalImagingPipelineExample', {
    notificationEmails: emails,
    autoReleaseThreshold: numberContext(app, 'autoReleaseThreshold'),
    quietPeriodSeconds: numberContext(app, 'quietPeriodSeconds'),
    bedrockModelId: textContext(app, 'bedrockModelId'),
    sageMakerEndpointName: textContext(app, 'sageMakerEndpointName'),
    referencedBucketName: textContext(app, 'referencedBucketName'),
    referencedKeyPrefix: textContext(app, 'referencedKeyPrefix'),
    structuredReportForImages: textContext(app, 'structuredReportForImages') === 'true',
    description: 'cdk-medical-imaging-pipeline example: serverless medical-imaging AI pipeline',
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
  );
  return { app, stack };
}

/** A text context value, or undefined when unset or empty. */
function textContext(app: App, name: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(name);
  return raw === undefined || String(raw).trim() === '' ? undefined : String(raw).trim();
}

/** A numeric context value, or undefined when unset; anything else that is not a number fails fast. */
function numberContext(app: App, name: string): number | undefined {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new Error(`Context '${name}' must be a number, got '${String(raw)}'.`);
  }
  return value;
}

if (require.main === module) {
  buildExampleApp().app.synth();
}
