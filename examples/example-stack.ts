import * as path from 'path';
import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Analyzer, MedicalImagingPipeline, PhiLogProtection } from '../src';

export interface ExampleStackProps extends StackProps {
  /** Clinicians who get an e-mail for every finished or failed study. */
  readonly notificationEmails?: string[];
  /** Findings at or above this confidence wait for a clinician. @default 0.8 (the library default) */
  readonly autoReleaseThreshold?: number;
  /** Seconds without a new instance after which a study is analysed. @default 300 (the library default) */
  readonly quietPeriodSeconds?: number;
  /**
   * A multimodal Bedrock model (or inference profile) to analyse images with;
   * model access must be enabled for it in the account.
   * @default - no Bedrock analyzer
   */
  readonly bedrockModelId?: string;
  /** A SageMaker endpoint honouring the analyzer's contract (PNG in, JSON findings out). @default - no SageMaker analyzer */
  readonly sageMakerEndpointName?: string;
  /**
   * A bucket of stored studies (an archive) that `Analysis Requested` events may
   * name, beside the upload prefix; the pipeline only reads it.
   * @default - only the upload prefix may be requested
   */
  readonly referencedBucketName?: string;
  /** Only keys under this prefix of `referencedBucketName`. @default '' (the whole bucket) */
  readonly referencedKeyPrefix?: string;
}

/**
 * The full system: upload bucket -> ingest -> analysis workflow with every
 * analyzer kind (the offline image-quality check, a Lambda function of your
 * own, Amazon Rekognition labels, and, when their context is given, a Bedrock
 * model and a SageMaker endpoint) -> results store -> reports -> notifications.
 */
export class ExampleStack extends Stack {
  public readonly pipeline: MedicalImagingPipeline;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);

    // One customer-managed key for everything, brought by the platform team.
    const key = new kms.Key(this, 'PipelineKey', {
      description: 'Medical imaging pipeline example: data, logs and messages',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // "Bring your own model": any Lambda that honours the analyzer contract.
    // This one is a small, dependency-free resolution check written in plain JS.
    // Its log group gets the library's PHI masking, and its role writes to that group only.
    const resolutionCheckLogs = new logs.LogGroup(this, 'ResolutionCheckLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      dataProtectionPolicy: PhiLogProtection.dataProtectionPolicy(),
    });
    const resolutionCheck = new lambda.Function(this, 'ResolutionCheckAnalyzer', {
      description: 'Example analyzer: flags images below a minimum resolution',
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'analyzers', 'resolution-check')),
      timeout: Duration.seconds(30),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: 5,
      environmentEncryption: key,
      logGroup: resolutionCheckLogs,
    });
    PhiLogProtection.restrictFunctionToLogGroup(resolutionCheck, resolutionCheckLogs);
    acknowledgeExampleAnalyzer(resolutionCheck);

    this.pipeline = new MedicalImagingPipeline(this, 'Pipeline', {
      encryptionKey: key,
      analyzers: [
        Analyzer.imageQuality(),
        Analyzer.lambdaFunction(resolutionCheck, {
          name: 'resolution-check',
          modelId: 'example-resolution-check',
          modelVersion: '1',
        }),
        // General labels on the middle image of each series: needs no model of your own.
        Analyzer.rekognition({ minConfidence: 60 }),
        // These two need something in the account first, so they come only when named.
        ...(props.bedrockModelId === undefined ? [] : [Analyzer.bedrock({ modelId: props.bedrockModelId })]),
        ...(props.sageMakerEndpointName === undefined ? [] : [Analyzer.sageMakerEndpoint({ endpointName: props.sageMakerEndpointName })]),
      ],
      notificationEmails: props.notificationEmails,
      autoReleaseThreshold: props.autoReleaseThreshold,
      quietPeriod: props.quietPeriodSeconds === undefined ? undefined : Duration.seconds(props.quietPeriodSeconds),
      // Re-running chosen analyzers over past studies (and `Analysis Requested` naming a study).
      reanalysis: {},
      referencedSources: props.referencedBucketName === undefined ? undefined : [{
        bucket: s3.Bucket.fromBucketName(this, 'ReferencedBucket', props.referencedBucketName),
        keyPrefix: props.referencedKeyPrefix,
      }],
    });
  }
}

/** The example analyzer is deliberately minimal; say why each finding is accepted. */
function acknowledgeExampleAnalyzer(fn: lambda.Function): void {
  const v = Validations.of(fn);
  const sync = 'Invoked synchronously by the Step Functions workflow, which retries it and turns a failure into a FAILED analyzer result; a DLQ would never receive an event.';
  v.acknowledge({ id: 'HIPAA.Security-LambdaDLQ', reason: sync });
  v.acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: sync });
  const vpc = 'The example analyzer reads only the invocation payload (image sizes) and calls no network service, so VPC placement would isolate nothing.';
  v.acknowledge({ id: 'HIPAA.Security-LambdaInsideVPC', reason: vpc });
  v.acknowledge({ id: 'NIST.800.53.R5-LambdaInsideVPC', reason: vpc });
  const role = Validations.of(fn.role!);
  role.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only the X-Ray actions xray:PutTraceSegments/PutTelemetryRecords use Resource "*": X-Ray has no resource-level permissions.',
  });
  const inline = "The role's DefaultPolicy holds the pipeline's least-privilege grants for this one function (derived-image reads) and lives and dies with it.";
  role.acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline });
  role.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline });
}
