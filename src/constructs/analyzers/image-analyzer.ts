import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ImageSelection } from './image-selection';
import { AnalyzerApplicability } from '../../shared/analysis-plan';
import { PipelineFunctionOptions } from '../helpers/function-options';

/**
 * What the analysis workflow hands an analyzer when it binds it.
 */
export interface AnalyzerBindOptions {
  /** Bucket holding the de-identified derived images the analyzer reads (`ImageReference`). */
  readonly derivedImagesBucket: s3.IBucket;

  /**
   * The pipeline's key: it encrypts the derived images, and any function or log
   * group the analyzer creates must use it too.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Settings for any Lambda function the analyzer creates.
   * @default - the library defaults (see `PipelineFunctionOptions`)
   */
  readonly functionOptions?: PipelineFunctionOptions;

  /**
   * Prefix for the ids of constructs the analyzer creates in `scope`; unique per
   * analyzer within the workflow.
   */
  readonly idPrefix: string;
}

/**
 * Builds the states that analyze one batch of images. The workflow calls it
 * once for each map it runs batches in (an inline Map for small selections, a
 * Distributed Map for large ones), so it must only create states: functions and
 * grants belong in `IImageAnalyzer.bind`.
 */
export interface IAnalyzerBatchTask {
  /**
   * New states in `scope` (construct ids starting with `id`, state names ending
   * with `stateNameSuffix`, so the two copies stay distinct) that receive an
   * `AnalyzerInvocation` at `$` and output one `AnalyzerResult` for the batch.
   *
   * Throw (or let the service throw) an error named `AnalyzerThrottledError`,
   * `AnalyzerUnavailableError` or `AnalyzerTimeoutError` to have the workflow
   * retry the batch with backoff and jitter; any other error, or a FAILED
   * result, fails the batch at once. Do not add a catch-all (`States.ALL`): the
   * workflow catches every error and records a FAILED result.
   */
  createStates(scope: Construct, id: string, stateNameSuffix: string): sfn.IChainable;
}

/**
 * What one analyzer contributes to the workflow: its batch states and how the
 * workflow should feed them.
 */
export interface AnalyzerBinding {
  /**
   * Name the analyzer was registered under. It is written into every result and
   * into table keys and S3 keys, so it must be unique within a workflow and stable.
   */
  readonly analyzerName: string;

  /** The states that analyze one batch. */
  readonly batchTask: IAnalyzerBatchTask;

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
   * Which images the analyzer sees.
   * @default ImageSelection.all()
   */
  readonly selection?: ImageSelection;

  /**
   * When the analyzer applies; a study with no matching image records SKIPPED.
   * @default - every study
   */
  readonly applicability?: AnalyzerApplicability;

  /**
   * Images per invocation of the batch states (1-100).
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * Batches analyzed at the same time (per study).
   * @default 4
   */
  readonly maxConcurrency?: number;

  /**
   * Longest one attempt of the batch states may take; it decides whether large
   * studies' batches can run as Express child workflows (at most 5 minutes each,
   * retries included) or need Standard ones.
   * @default Duration.minutes(2)
   */
  readonly batchTimeout?: Duration;
}

/**
 * A pluggable analyzer: builds its batch states and grants itself what it needs.
 * Get the built-in ones from `Analyzer`.
 */
export interface IImageAnalyzer {
  /**
   * Create the analyzer's functions and grants in `scope` and return how the
   * workflow runs it.
   */
  bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding;
}
