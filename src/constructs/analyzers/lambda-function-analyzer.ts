import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { assertValidAnalyzerName } from './analyzer-name';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { lambdaStep } from './lambda-step';
import { ANALYZER_CONTRACT_VERSION } from '../../shared/analyzer-result';
import { grantKeyViaService, grantObjectPrefix, KeyUse } from '../helpers/grants';

/** Derived objects of every study live under `studies/<studyKey>/` (see `studyPrefix`). */
const STUDY_OBJECTS_PREFIX = 'studies/';

/**
 * Options for an analyzer backed by your own Lambda function.
 */
export interface LambdaFunctionAnalyzerOptions {
  /**
   * Name the analyzer is registered under (unique within a workflow; 1-64
   * letters, digits, '-', '_' or '.').
   * @default - the function's construct id
   */
  readonly name?: string;

  /**
   * Model id recorded when the analyzer fails before returning a result.
   * @default 'unknown'
   */
  readonly modelId?: string;

  /**
   * Model version recorded when the analyzer fails before returning a result.
   * @default 'unknown'
   */
  readonly modelVersion?: string;

  /**
   * How long the workflow waits for the function before recording a FAILED
   * result.
   * @default - the function's own timeout
   */
  readonly timeout?: Duration;
}

/**
 * An analyzer that is one Lambda function.
 *
 * Contract (version `ANALYZER_CONTRACT_VERSION`): the function receives an
 * `AnalyzerInvocation` (`{ schemaVersion, analyzerName, study }`, where `study`
 * is the `StudyDescriptor` with de-identified image references) and returns one
 * `AnalyzerResult` with the same `schemaVersion` and `analyzerName`. Throwing,
 * timing out or being throttled beyond the retries yields a FAILED result for
 * this analyzer; the study carries on with the other analyzers.
 *
 * Binding grants the function `s3:GetObject` on the study objects
 * (`studies/*`) of the derived-images bucket and `kms:Decrypt` on the bucket's
 * key through S3 only. An imported
 * function without a known role (`Function.fromFunctionArn`) cannot receive
 * grants: CDK warns, and you grant its role yourself (or import it with
 * `Function.fromFunctionAttributes({ functionArn, role })`).
 */
export class LambdaFunctionAnalyzer implements IImageAnalyzer {
  private readonly fn: lambda.IFunction;
  private readonly options: LambdaFunctionAnalyzerOptions;
  private readonly name: string;

  constructor(fn: lambda.IFunction, options: LambdaFunctionAnalyzerOptions = {}) {
    this.fn = fn;
    this.options = options;
    this.name = options.name ?? fn.node.id;
    assertValidAnalyzerName(this.name);
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    grantReadDerivedImages(this.fn, options);
    const task = lambdaStep(scope, `${options.idPrefix}Invoke`, {
      fn: this.fn,
      stateName: `Analyze ${this.name}`,
      payload: sfn.TaskInput.fromObject({
        schemaVersion: ANALYZER_CONTRACT_VERSION,
        analyzerName: this.name,
        study: sfn.JsonPath.objectAt('$.study'),
      }),
      taskTimeout: this.options.timeout,
    });
    return {
      analyzerName: this.name,
      task,
      modelId: this.options.modelId,
      modelVersion: this.options.modelVersion,
    };
  }
}

/** Read-only access to study objects: no listing, no other prefixes, no writes; the key only through S3. */
function grantReadDerivedImages(fn: lambda.IFunction, options: AnalyzerBindOptions): void {
  const bucket = options.derivedImagesBucket;
  grantObjectPrefix(fn, bucket.bucketArn, STUDY_OBJECTS_PREFIX, ['s3:GetObject'], 'the analyzer reads de-identified derived images of studies.');
  grantKeyViaService(fn, bucket.encryptionKey ?? options.encryptionKey, 's3', KeyUse.DECRYPT);
}
