import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IImageAnalyzer } from './image-analyzer';
import { ImageQualityAnalyzer, ImageQualityAnalyzerOptions } from './image-quality-analyzer';
import { LambdaFunctionAnalyzer, LambdaFunctionAnalyzerOptions } from './lambda-function-analyzer';

/**
 * The built-in analyzers. Pass them to `AnalysisWorkflow` (or the pipeline) as
 * `analyzers`; implement `IImageAnalyzer` for anything else.
 */
export class Analyzer {
  /**
   * Your own Lambda function as an analyzer: it receives an `AnalyzerInvocation`
   * and returns an `AnalyzerResult` (contract version `ANALYZER_CONTRACT_VERSION`).
   * See `LambdaFunctionAnalyzer` for the grants it receives.
   */
  public static lambdaFunction(fn: lambda.IFunction, options?: LambdaFunctionAnalyzerOptions): IImageAnalyzer {
    return new LambdaFunctionAnalyzer(fn, options);
  }

  /**
   * Offline, deterministic image-quality checks in a function this library
   * creates; needs no AI service.
   */
  public static imageQuality(options?: ImageQualityAnalyzerOptions): IImageAnalyzer {
    return new ImageQualityAnalyzer(options);
  }

  private constructor() {}
}
