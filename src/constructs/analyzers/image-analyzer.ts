import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PipelineFunctionOptions } from '../helpers/function-options';

/**
 * What the analysis workflow hands an analyzer when it binds it.
 */
export interface AnalyzerBindOptions {
  /** Bucket holding the de-identified derived images the analyzer reads (`StudyDescriptor.images`). */
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
 * The states one analyzer contributes to the workflow.
 */
export interface AnalyzerBinding {
  /**
   * Name the analyzer was registered under. It is written into every result and
   * into table keys, so it must be unique within a workflow and stable over time.
   */
  readonly analyzerName: string;

  /**
   * The analyzer's states. When run they receive the workflow state (`$.study`
   * is the `StudyDescriptor`) and output exactly one `AnalyzerResult`.
   *
   * The workflow catches every error of these states and records a FAILED
   * result instead, so the analyzer must not add a catch-all (`States.ALL`)
   * itself. A single Task, Parallel or Map state gets the catch directly; any
   * longer chain is wrapped in a one-branch Parallel state.
   */
  readonly task: sfn.IChainable;

  /**
   * Model id recorded in the FAILED result when the analyzer fails.
   * @default 'unknown'
   */
  readonly modelId?: string;

  /**
   * Model version recorded in the FAILED result when the analyzer fails.
   * @default 'unknown'
   */
  readonly modelVersion?: string;
}

/**
 * A pluggable analyzer: builds its states and grants itself what it needs.
 * Get the built-in ones from `Analyzer`.
 */
export interface IImageAnalyzer {
  /**
   * Create the analyzer's states (and any functions) in `scope` and grant them
   * access to the derived images.
   */
  bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding;
}
