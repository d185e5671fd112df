import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AnalyzerOptions } from './analyzer-options';
import { resolveAnalyzerOptions, ResolvedAnalyzerOptions } from './analyzer-settings';
import { grantReadDerivedImages } from './derived-image-grants';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { ImageSelection } from './image-selection';
import { SageMakerAsyncBatchTask } from './sagemaker-async-task';
import { assertInRange, bindBatchFunction, createServiceAnalyzerFunction } from './service-analyzer-function';
import { SageMakerInputFormat } from '../../core/service-answers/sagemaker-answer';
import { MAX_POLL_SECONDS } from '../../core/service-answers/sagemaker-async';
import { SageMakerSettings } from '../../core/service-answers/settings';
import { ImageSourceKind } from '../../shared/analyzer-result';
import { acknowledgeWildcardResource, grantKeyViaService, KeyUse } from '../helpers/grants';

const REAL_TIME_BUNDLE = 'analyzers/sagemaker.lambda';
const ASYNC_BUNDLE = 'analyzers/sagemaker-async.lambda';
const KIND = 'Analyzer.sageMakerEndpoint';
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const MIB = 1024 * 1024;

/**
 * Where an asynchronous endpoint writes its answers (its endpoint config's
 * `AsyncInferenceConfig.OutputConfig`), and how long a batch waits for them.
 */
export interface SageMakerAsyncInferenceOptions {
  /** Bucket of the endpoint's `S3OutputPath`. */
  readonly outputBucket: s3.IBucket;

  /** Key prefix of `S3OutputPath` (e.g. 'imaging-async/output/'); answers are read from under it only. */
  readonly outputPrefix: string;

  /**
   * Bucket of the endpoint's `S3FailurePath`.
   * @default - outputBucket
   */
  readonly failureBucket?: s3.IBucket;

  /**
   * Key prefix of `S3FailurePath`; a failure written there records FAILED with errorCode MODEL_ERROR at the next poll.
   * @default - outputPrefix
   */
  readonly failurePrefix?: string;

  /**
   * First wait before polling the outputs; each further wait doubles, up to 1 minute.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;

  /**
   * Longest a batch waits for its answers (queueing included) before it
   * records FAILED with errorCode TIMEOUT; also the requests' time to live and
   * their invocation timeout (at most 1 hour). 1 minute to 6 hours.
   * @default Duration.minutes(15)
   */
  readonly maxWait?: Duration;

  /**
   * The endpoint's execution role: it reads each request's input, which is the
   * de-identified derived object itself (nothing is copied). Given, it is
   * granted `s3:GetObject` on the derived-images bucket's `studies/*` and
   * `kms:Decrypt` through S3 only.
   * @default - none: grant the endpoint's role that read access yourself
   */
  readonly endpointRole?: iam.IRole;
}

/**
 * Options for the SageMaker endpoint analyzer.
 */
export interface SageMakerEndpointAnalyzerOptions extends AnalyzerOptions {
  /** Name of the endpoint (in this stack's account and Region). */
  readonly endpointName: string;

  /**
   * What the endpoint is sent: the analysis-sized 8-bit gray PNG (`image/png`)
   * or the de-identified DICOM Part 10 object (`application/dicom`).
   * @default SageMakerInputFormat.PNG
   */
  readonly inputFormat?: SageMakerInputFormat;

  /**
   * Model id recorded on results (the version comes from the answer's
   * `modelVersion`, else the production variant that answered).
   * @default - the endpoint name
   */
  readonly modelId?: string;

  /**
   * Largest request body sent to a real-time endpoint; a larger image records
   * FAILED with errorCode IMAGE_TOO_LARGE without a call (serverless endpoints take 4 MB).
   * @default 6 MiB (the real-time payload limit)
   */
  readonly maxPayloadBytes?: number;

  /**
   * Call an asynchronous endpoint (InvokeEndpointAsync) and poll its output
   * location, for large inputs (up to 1 GB) or models slower than 60 seconds.
   * @default - a real-time endpoint (InvokeEndpoint)
   */
  readonly asyncInference?: SageMakerAsyncInferenceOptions;

  /**
   * Function memory in MiB (DICOM objects are buffered whole).
   * @default 1024
   */
  readonly memorySize?: number;
}

/**
 * Your model on an Amazon SageMaker endpoint (the handler in
 * `analyzers/sagemaker.lambda`, or `analyzers/sagemaker-async.lambda` for an
 * asynchronous endpoint), invoked once per image.
 *
 * Contract. Request: the body is the image, `ContentType: image/png` (the
 * analysis PNG: 8-bit gray, long side at most 1568 px) or
 * `ContentType: application/dicom` (the de-identified DICOM Part 10 object;
 * studies uploaded as PNG/JPEG are then SKIPPED), `Accept: application/json`.
 * Response (HTTP 200): `{ "findings": [{ "label": string, "confidence": 0..1,
 * "code"?: string, "codeSystem"?: URI (with code), "region"?: { "left", "top",
 * "width", "height" } as fractions of the image }], "modelVersion"?: string }`,
 * at most 50 findings. An answer outside the contract records FAILED with
 * errorCode MALFORMED_MODEL_OUTPUT; a container 4xx/5xx records MODEL_ERROR
 * (429: retried as throttling).
 *
 * Asynchronous endpoints (`asyncInference`): each image is submitted with its
 * input location set to the derived object itself
 * (`s3://<derived-images bucket>/studies/...`), so the endpoint's execution
 * role must read it (`endpointRole` grants that); answers are read from the
 * endpoint's S3OutputPath/S3FailurePath, which must lie under the configured
 * prefixes. A batch then takes up to `maxWait` plus about 3 minutes, so large
 * studies run it in Standard child workflows.
 *
 * Defaults: name = the endpoint name, the middle image of each series, one
 * image per batch, 4 batches at a time, 75 seconds per batch (the model may
 * take its full 60 seconds; for asynchronous endpoints: each submit/poll step).
 *
 * Grants: `sagemaker:InvokeEndpoint` (or `sagemaker:InvokeEndpointAsync`) on
 * the endpoint's ARN only; `s3:GetObject` on the derived-images bucket's
 * `studies/*` (real-time) and `kms:Decrypt` through S3; for asynchronous
 * endpoints `s3:GetObject` and a prefix-bound `s3:ListBucket` (so a missing
 * answer reads as missing, not as denied) on the output and failure prefixes.
 */
export class SageMakerEndpointAnalyzer implements IImageAnalyzer {
  private readonly options: SageMakerEndpointAnalyzerOptions;
  private readonly settings: ResolvedAnalyzerOptions;

  constructor(options: SageMakerEndpointAnalyzerOptions) {
    this.options = options;
    const endpoint = options.endpointName;
    const literal = typeof endpoint === 'string' && !Token.isUnresolved(endpoint);
    this.settings = resolveAnalyzerOptions(KIND, options, {
      name: literal ? endpoint : 'sagemaker-endpoint',
      selection: ImageSelection.representative(),
      timeout: Duration.seconds(75),
      batchSize: 1,
      maxConcurrency: 4,
    });
    const name = this.settings.name;
    if (typeof endpoint !== 'string' || (literal && !ENDPOINT_NAME.test(endpoint))) {
      throw new Error(`${KIND} '${name}': endpointName must be a SageMaker endpoint name (1-63 letters, digits and hyphens), got '${String(endpoint)}'.`);
    }
    assertInRange(KIND, name, 'maxPayloadBytes', options.maxPayloadBytes, 1, 25 * MIB, true);
    assertInRange(KIND, name, 'memorySize', options.memorySize, 128, 10240, true);
    const a = options.asyncInference;
    if (a !== undefined) {
      if (a.maxWait !== undefined && !Token.isUnresolved(a.maxWait)) assertInRange(KIND, name, 'asyncInference.maxWait (seconds)', a.maxWait.toSeconds(), 60, 6 * 3600, true);
      if (a.pollInterval !== undefined && !Token.isUnresolved(a.pollInterval)) assertInRange(KIND, name, 'asyncInference.pollInterval (seconds)', a.pollInterval.toSeconds(), 1, MAX_POLL_SECONDS, true);
      if (options.maxPayloadBytes !== undefined) throw new Error(`${KIND} '${name}': maxPayloadBytes applies to real-time endpoints only.`);
    }
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    const s = this.settings;
    const o = this.options;
    const stack = Stack.of(scope);
    const inputFormat = o.inputFormat ?? SageMakerInputFormat.PNG;
    // SageMaker writes endpoint names into ARNs in lower case.
    const endpointArn = stack.formatArn({
      service: 'sagemaker', resource: 'endpoint', resourceName: Token.isUnresolved(o.endpointName) ? o.endpointName : o.endpointName.toLowerCase(),
    });
    const modelId = o.modelId ?? o.endpointName;
    // DICOM input: studies uploaded as PNG/JPEG have nothing to send, so they are SKIPPED rather than FAILED.
    const dicomOnly = inputFormat === SageMakerInputFormat.DICOM ? { sourceKinds: [ImageSourceKind.DICOM] } : undefined;
    const resolved = { ...s, applicability: s.applicability ?? dicomOnly };
    const a = o.asyncInference;
    const base: Omit<SageMakerSettings, 'async'> = {
      service: 'sagemaker', endpointName: o.endpointName, inputFormat, maxPayloadBytes: o.maxPayloadBytes ?? 6 * MIB, modelId,
    };
    if (a === undefined) {
      const fn = createServiceAnalyzerFunction(scope, options, {
        bundle: REAL_TIME_BUNDLE,
        description: `SageMaker endpoint analyzer '${s.name}' (real-time)`,
        settings: base,
        memorySize: o.memorySize ?? 1024,
        timeout: s.timeout,
        kind: KIND,
        analyzerName: s.name,
      });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [endpointArn] }));
      return bindBatchFunction(scope, options, fn, resolved, { modelId, modelVersion: 'unknown' });
    }
    const maxWait = a.maxWait ?? Duration.minutes(15);
    const failureBucket = a.failureBucket ?? a.outputBucket;
    const failurePrefix = a.failurePrefix ?? a.outputPrefix;
    const fn = createServiceAnalyzerFunction(scope, options, {
      bundle: ASYNC_BUNDLE,
      description: `SageMaker endpoint analyzer '${s.name}' (asynchronous)`,
      settings: {
        ...base,
        async: {
          maxWaitSeconds: maxWait.toSeconds(),
          initialPollSeconds: (a.pollInterval ?? Duration.seconds(10)).toSeconds(),
          outputLocations: [`s3://${a.outputBucket.bucketName}/${a.outputPrefix}`, `s3://${failureBucket.bucketName}/${failurePrefix}`],
        },
      },
      memorySize: o.memorySize ?? 512,
      timeout: s.timeout,
      kind: KIND,
      analyzerName: s.name,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: [endpointArn] }));
    grantReadOutputs(fn, a.outputBucket, a.outputPrefix);
    if (failureBucket !== a.outputBucket || failurePrefix !== a.outputPrefix) grantReadOutputs(fn, failureBucket, failurePrefix);
    if (a.endpointRole !== undefined) grantReadDerivedImages(a.endpointRole, options);
    return {
      analyzerName: s.name,
      batchTask: new SageMakerAsyncBatchTask(fn, s.name, s.timeout),
      modelId,
      modelVersion: 'unknown',
      selection: resolved.selection,
      applicability: resolved.applicability,
      batchSize: s.batchSize,
      maxConcurrency: s.maxConcurrency,
      // Submit, the wait itself, the last wait between polls, the last poll.
      batchTimeout: Duration.seconds(s.timeout.toSeconds() * 2 + maxWait.toSeconds() + MAX_POLL_SECONDS),
    };
  }
}

/** Read the endpoint's answers under one prefix; listing it lets a missing answer read as 404 instead of 403. */
function grantReadOutputs(fn: lambda.Function, bucket: s3.IBucket, prefix: string): void {
  const objects = bucket.arnForObjects(`${prefix}*`);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  }));
  acknowledgeWildcardResource(fn, objects, `Object-level read limited to the "${prefix}" key prefix, where the asynchronous endpoint writes its answers.`);
  grantKeyViaService(fn, bucket.encryptionKey, 's3', KeyUse.DECRYPT);
}
