import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BedrockAnalyzer, BedrockAnalyzerOptions } from './bedrock-analyzer';
import { IImageAnalyzer } from './image-analyzer';
import { ImageQualityAnalyzer, ImageQualityAnalyzerOptions } from './image-quality-analyzer';
import { LambdaFunctionAnalyzer, LambdaFunctionAnalyzerOptions } from './lambda-function-analyzer';
import { RekognitionAnalyzer, RekognitionAnalyzerOptions } from './rekognition-analyzer';
import { SageMakerEndpointAnalyzer, SageMakerEndpointAnalyzerOptions } from './sagemaker-endpoint-analyzer';

/**
 * The built-in analyzers. Pass them to `AnalysisWorkflow` (or the pipeline) as
 * `analyzers`; implement `IImageAnalyzer` for anything else.
 */
export class Analyzer {
  /**
   * Your own Lambda function as an analyzer: it receives an `AnalyzerInvocation`
   * per batch of images and returns an `AnalyzerResult` (contract version
   * `ANALYZER_CONTRACT_VERSION`). See `LambdaFunctionAnalyzer` for the grants it receives.
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

  /**
   * Amazon Rekognition labels (DetectLabels), or your Custom Labels model
   * (`projectVersionArn`), on the analysis image. See `RekognitionAnalyzer`.
   */
  public static rekognition(options?: RekognitionAnalyzerOptions): IImageAnalyzer {
    return new RekognitionAnalyzer(options);
  }

  /**
   * A multimodal model on Amazon Bedrock (Converse API, structured output
   * through tool use). See `BedrockAnalyzer`.
   */
  public static bedrock(options: BedrockAnalyzerOptions): IImageAnalyzer {
    return new BedrockAnalyzer(options);
  }

  /**
   * Your model on an Amazon SageMaker endpoint, real-time or asynchronous, sent
   * the analysis PNG or the de-identified DICOM. See `SageMakerEndpointAnalyzer`
   * for the request/response contract.
   */
  public static sageMakerEndpoint(options: SageMakerEndpointAnalyzerOptions): IImageAnalyzer {
    return new SageMakerEndpointAnalyzer(options);
  }

  private constructor() {}
}
