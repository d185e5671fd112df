import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AnalyzerOptions } from './analyzer-options';
import { resolveAnalyzerOptions, ResolvedAnalyzerOptions } from './analyzer-settings';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { ImageSelection } from './image-selection';
import { LambdaFunctionAnalyzer } from './lambda-function-analyzer';
import { EnvVar } from '../../shared/env';
import { createHandlerFunction } from '../helpers/handler-function';

/** Bundle of the image-quality handler (built into `assets/` by projen). */
const IMAGE_QUALITY_BUNDLE = 'analyzers/image-quality.lambda';

/**
 * Options for the built-in image-quality analyzer.
 */
export interface ImageQualityAnalyzerOptions extends AnalyzerOptions {
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
 *
 * Defaults: name 'image-quality', every image (`ImageSelection.all()`: the
 * check is cheap), batches of 25, 4 at a time, 1 minute per batch.
 */
export class ImageQualityAnalyzer implements IImageAnalyzer {
  private readonly options: ImageQualityAnalyzerOptions;
  private readonly settings: ResolvedAnalyzerOptions;

  constructor(options: ImageQualityAnalyzerOptions = {}) {
    this.options = options;
    this.settings = resolveAnalyzerOptions('Analyzer.imageQuality', options, {
      name: 'image-quality',
      selection: ImageSelection.all(),
      timeout: Duration.minutes(1),
      batchSize: 25,
      maxConcurrency: 4,
    });
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    const s = this.settings;
    const fn = createHandlerFunction(scope, `${options.idPrefix}Function`, {
      bundle: IMAGE_QUALITY_BUNDLE,
      description: `Image-quality analyzer '${s.name}' (offline, deterministic)`,
      encryptionKey: options.encryptionKey,
      environment: { [EnvVar.DERIVED_BUCKET]: options.derivedImagesBucket.bucketName },
      memorySize: this.options.memorySize ?? 1024,
      timeout: s.timeout,
      defaultReservedConcurrency: 10,
      options: options.functionOptions,
    });
    return new LambdaFunctionAnalyzer(fn, {
      ...this.options,
      name: s.name,
      selection: s.selection,
      timeout: s.timeout,
      batchSize: s.batchSize,
      maxConcurrency: s.maxConcurrency,
      modelId: 'image-quality',
      modelVersion: 'builtin',
    }).bind(scope, options);
  }
}
