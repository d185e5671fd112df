import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { assertValidAnalyzerName } from './analyzer-name';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { LambdaFunctionAnalyzer } from './lambda-function-analyzer';
import { EnvVar } from '../../shared/env';
import { createHandlerFunction } from '../helpers/handler-function';

/** Bundle of the image-quality handler (built into `assets/` by projen). */
const IMAGE_QUALITY_BUNDLE = 'analyzers/image-quality.lambda';

/**
 * Options for the built-in image-quality analyzer.
 */
export interface ImageQualityAnalyzerOptions {
  /**
   * Name the analyzer is registered under.
   * @default 'image-quality'
   */
  readonly name?: string;

  /**
   * Function timeout (the workflow waits as long).
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;

  /**
   * Function memory in MiB (also buys CPU for decoding large images).
   * @default 1024
   */
  readonly memorySize?: number;
}

/**
 * Deterministic, offline image-quality checks (the handler in
 * `analyzers/image-quality.lambda`). Calls no AI service, so it runs in any
 * account and region, and in local tests.
 */
export class ImageQualityAnalyzer implements IImageAnalyzer {
  private readonly options: ImageQualityAnalyzerOptions;
  private readonly name: string;

  constructor(options: ImageQualityAnalyzerOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'image-quality';
    assertValidAnalyzerName(this.name);
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    const timeout = this.options.timeout ?? Duration.minutes(2);
    const fn = createHandlerFunction(scope, `${options.idPrefix}Function`, {
      bundle: IMAGE_QUALITY_BUNDLE,
      description: `Image-quality analyzer '${this.name}' (offline, deterministic)`,
      encryptionKey: options.encryptionKey,
      environment: { [EnvVar.DERIVED_BUCKET]: options.derivedImagesBucket.bucketName },
      memorySize: this.options.memorySize ?? 1024,
      timeout,
      defaultReservedConcurrency: 10,
      options: options.functionOptions,
    });
    // The Lambda timeout already bounds the call; no separate task timeout.
    return new LambdaFunctionAnalyzer(fn, {
      name: this.name,
      modelId: 'image-quality',
      modelVersion: 'builtin',
    }).bind(scope, options);
  }
}
