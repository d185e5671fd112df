import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AnalyzerOptions } from './analyzer-options';
import { resolveAnalyzerOptions, ResolvedAnalyzerOptions } from './analyzer-settings';
import { grantReadDerivedImages } from './derived-image-grants';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { ImageSelection } from './image-selection';
import { LambdaBatchTask } from './lambda-batch-task';

/**
 * Options for an analyzer backed by your own Lambda function.
 */
export interface LambdaFunctionAnalyzerOptions extends AnalyzerOptions {
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
}

/**
 * An analyzer that is one Lambda function, invoked once per batch of images.
 *
 * Contract (version `ANALYZER_CONTRACT_VERSION`): the function receives an
 * `AnalyzerInvocation` (`{ schemaVersion, analyzerName, study, batch }`: the
 * study's bounded `StudyContext` and up to `batchSize` de-identified
 * `ImageReference`s) and returns one `AnalyzerResult` for those images, with
 * the same `analyzerName`. The result is validated before it is used: an
 * invalid one is recorded FAILED with errorCode INVALID_RESULT. Throwing an
 * error named `AnalyzerThrottledError`, `AnalyzerUnavailableError` or
 * `AnalyzerTimeoutError` makes the workflow retry the batch; any other error
 * fails the batch, and the study carries on with the other analyzers.
 *
 * Defaults: name = the function's construct id, every image
 * (`ImageSelection.all()`), batches of 10, 4 at a time, the function's own
 * timeout (as the workflow sees it: 5 minutes when unknown).
 *
 * Binding grants the function `s3:GetObject` on the study objects
 * (`studies/*`) of the derived-images bucket and `kms:Decrypt` on the bucket's
 * key through S3 only. An imported function without a known role
 * (`Function.fromFunctionArn`) cannot receive grants: CDK warns, and you grant
 * its role yourself (or import it with `Function.fromFunctionAttributes({ functionArn, role })`).
 */
export class LambdaFunctionAnalyzer implements IImageAnalyzer {
  private readonly fn: lambda.IFunction;
  private readonly options: LambdaFunctionAnalyzerOptions;
  private readonly settings: ResolvedAnalyzerOptions;

  constructor(fn: lambda.IFunction, options: LambdaFunctionAnalyzerOptions = {}) {
    this.fn = fn;
    this.options = options;
    this.settings = resolveAnalyzerOptions('Analyzer.lambdaFunction', options, {
      name: fn.node.id,
      selection: ImageSelection.all(),
      timeout: Duration.minutes(5),
      batchSize: 10,
      maxConcurrency: 4,
    });
  }

  public bind(_scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    grantReadDerivedImages(this.fn, options);
    const s = this.settings;
    return {
      analyzerName: s.name,
      // The workflow bounds each invocation only when a timeout was given; else the function's own timeout does.
      batchTask: new LambdaBatchTask(this.fn, s.name, this.options.timeout),
      modelId: this.options.modelId,
      modelVersion: this.options.modelVersion,
      selection: s.selection,
      applicability: s.applicability,
      batchSize: s.batchSize,
      maxConcurrency: s.maxConcurrency,
      batchTimeout: s.timeout,
    };
  }
}
