import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AnalyzerOptions } from './analyzer-options';
import { resolveAnalyzerOptions, ResolvedAnalyzerOptions } from './analyzer-settings';
import { AnalyzerBindOptions, AnalyzerBinding, IImageAnalyzer } from './image-analyzer';
import { ImageSelection } from './image-selection';
import { assertInRange, bindBatchFunction, createServiceAnalyzerFunction } from './service-analyzer-function';
import { BedrockModelKind, BedrockModelReference, modelVersionOf, parseBedrockModel } from '../../core/service-answers/bedrock-model';
import { BedrockSettings } from '../../core/service-answers/settings';
import { acknowledgeWildcardResource } from '../helpers/grants';

const BEDROCK_BUNDLE = 'analyzers/bedrock.lambda';
const KIND = 'Analyzer.bedrock';

/**
 * Options for the Amazon Bedrock analyzer.
 */
export interface BedrockAnalyzerOptions extends AnalyzerOptions {
  /**
   * The multimodal model, called through the Converse API: a model id
   * (`anthropic.claude-3-5-sonnet-20240620-v1:0`), a system-defined inference
   * profile id (`us.anthropic.claude-3-5-sonnet-20241022-v2:0`, recognised by
   * the geography in front), or the ARN of a foundation model, an inference
   * profile, an application inference profile or another Bedrock model
   * (provisioned throughput, imported model). The model must take images and
   * support tool use with a forced tool choice (Anthropic Claude 3 and later,
   * Amazon Nova, Mistral Pixtral ...), and model access must be enabled for it.
   */
  readonly modelId: string;

  /**
   * The foundation model an inference profile routes to (granted and recorded
   * on results).
   * @default - derived from a system-defined profile's id; required for an application inference profile
   */
  readonly foundationModelId?: string;

  /**
   * Regions an inference profile may route the call to (its foundation model
   * is granted there only).
   * @default - any Region: the grant still names the one foundation model and
   * holds only for calls through this profile (condition bedrock:InferenceProfileArn)
   */
  readonly inferenceProfileRegions?: string[];

  /**
   * The request sent with each image (the image's modality and body part are
   * put in front of it).
   * @default - "Describe the findings in this image."
   */
  readonly prompt?: string;

  /**
   * The system prompt: the model's role and rules. The default makes it a
   * radiology assistant that reports visible findings only, never a diagnosis
   * or treatment, with codes only when sure, through the findings tool.
   * @default - a radiology-assistant prompt (`DEFAULT_SYSTEM_PROMPT` in the source)
   */
  readonly systemPrompt?: string;

  /**
   * Most tokens the model may write per image (the findings tool call).
   * @default 2048
   */
  readonly maxTokens?: number;

  /**
   * Sampling temperature, 0-1 (0: the most repeatable answers).
   * @default 0
   */
  readonly temperature?: number;

  /**
   * Model id recorded on results.
   * @default - the foundation model id (for a profile, the model it routes to)
   */
  readonly recordedModelId?: string;

  /**
   * Function memory in MiB.
   * @default 512
   */
  readonly memorySize?: number;
}

/**
 * A multimodal foundation model on Amazon Bedrock (the handler in
 * `analyzers/bedrock.lambda`): each analysis PNG goes through the Converse API
 * with the prompt, and the model must answer by calling a `record_findings`
 * tool whose input schema is the findings shape
 * (`{ findings: [{ label, confidence, code?, codeSystem?, region? }] }`; code
 * systems SNOMED CT or RadLex). An answer that does not match (no tool call,
 * wrong types, confidence outside 0..1, a region outside the image, a
 * truncated answer) records FAILED with errorCode MALFORMED_MODEL_OUTPUT;
 * token usage is recorded on every result. A model's own confidence is not
 * calibrated: keep such findings under clinician review (`autoReleaseThreshold`).
 *
 * Defaults: name 'bedrock', the middle image of each series, one image per
 * batch, 2 batches at a time (on-demand quotas are a few hundred requests per
 * minute or less), 90 seconds per batch, maxTokens 2048, temperature 0.
 *
 * Grants: `s3:GetObject` on the derived-images bucket's `studies/*` and
 * `kms:Decrypt` through S3 only; `bedrock:InvokeModel` (what Converse needs) on
 * the foundation model's ARN in this Region. For an inference profile: on the
 * profile's ARN, and on its foundation model's ARN in the Regions it routes to
 * (`inferenceProfileRegions`) only for calls through that profile
 * (`ArnEquals bedrock:InferenceProfileArn`). Other model ARNs: that ARN only.
 */
export class BedrockAnalyzer implements IImageAnalyzer {
  private readonly options: BedrockAnalyzerOptions;
  private readonly settings: ResolvedAnalyzerOptions;
  private readonly model: BedrockModelReference;

  constructor(options: BedrockAnalyzerOptions) {
    this.options = options;
    this.settings = resolveAnalyzerOptions(KIND, options, {
      name: 'bedrock',
      selection: ImageSelection.representative(),
      timeout: Duration.seconds(90),
      batchSize: 1,
      maxConcurrency: 2,
    });
    const name = this.settings.name;
    if (typeof options.modelId !== 'string' || options.modelId === '') throw new Error(`${KIND} '${name}': modelId is required.`);
    // A token (e.g. a CfnParameter) is taken to be a foundation model id.
    this.model = Token.isUnresolved(options.modelId)
      ? { kind: BedrockModelKind.FOUNDATION_MODEL, modelId: options.modelId, foundationModelId: options.modelId }
      : parseBedrockModel(options.modelId);
    const isProfile = this.model.kind === BedrockModelKind.INFERENCE_PROFILE || this.model.kind === BedrockModelKind.APPLICATION_INFERENCE_PROFILE;
    if (isProfile && (options.foundationModelId ?? this.model.foundationModelId) === undefined) {
      throw new Error(`${KIND} '${name}': an application inference profile needs foundationModelId (the model it routes to, which is granted).`);
    }
    if (!isProfile && (options.foundationModelId !== undefined || options.inferenceProfileRegions !== undefined)) {
      throw new Error(`${KIND} '${name}': foundationModelId and inferenceProfileRegions apply to inference profiles only.`);
    }
    assertInRange(KIND, name, 'maxTokens', options.maxTokens, 1, 65_536, true);
    assertInRange(KIND, name, 'temperature', options.temperature, 0, 1);
    assertInRange(KIND, name, 'memorySize', options.memorySize, 128, 10240, true);
    for (const [option, text] of [['prompt', options.prompt], ['systemPrompt', options.systemPrompt]] as const) {
      if (text !== undefined && text.trim() === '') throw new Error(`${KIND} '${name}': ${option} must not be empty.`);
    }
  }

  public bind(scope: Construct, options: AnalyzerBindOptions): AnalyzerBinding {
    const s = this.settings;
    const foundationModelId = this.options.foundationModelId ?? this.model.foundationModelId;
    const recordedModelId = this.options.recordedModelId ?? foundationModelId ?? this.model.modelId;
    const settings: BedrockSettings = {
      service: 'bedrock',
      modelId: this.model.modelId,
      recordedModelId,
      modelVersion: modelVersionOf(foundationModelId ?? this.model.modelId),
      maxTokens: this.options.maxTokens ?? 2048,
      temperature: this.options.temperature ?? 0,
      ...(this.options.prompt === undefined ? {} : { prompt: this.options.prompt }),
      ...(this.options.systemPrompt === undefined ? {} : { systemPrompt: this.options.systemPrompt }),
    };
    const fn = createServiceAnalyzerFunction(scope, options, {
      bundle: BEDROCK_BUNDLE,
      description: `Bedrock analyzer '${s.name}' (Converse)`,
      settings,
      memorySize: this.options.memorySize ?? 512,
      timeout: s.timeout,
      kind: KIND,
      analyzerName: s.name,
    });
    this.grantInvoke(fn, foundationModelId);
    return bindBatchFunction(scope, options, fn, s, { modelId: recordedModelId, modelVersion: settings.modelVersion });
  }

  private grantInvoke(fn: lambda.Function, foundationModelId: string | undefined): void {
    const stack = Stack.of(fn);
    const modelArn = (region: string, id: string) => `arn:${stack.partition}:bedrock:${region}::foundation-model/${id}`;
    const invoke = (resources: string[], conditions?: Record<string, unknown>) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources, conditions }));
    const model = this.model;
    switch (model.kind) {
      case BedrockModelKind.FOUNDATION_MODEL:
        invoke([model.arn ?? modelArn(stack.region, model.modelId)]);
        return;
      case BedrockModelKind.OTHER_MODEL_ARN:
        invoke([model.arn!]);
        return;
      default: {
        const profileArn = model.arn ?? stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: model.modelId });
        invoke([profileArn]);
        const regions = this.options.inferenceProfileRegions ?? ['*'];
        const routed = regions.map((region) => modelArn(region, foundationModelId!));
        invoke(routed, { ArnEquals: { 'bedrock:InferenceProfileArn': profileArn } });
        for (const resource of routed.filter((arn) => arn.includes(':*:'))) {
          acknowledgeWildcardResource(fn, resource,
            'A cross-Region inference profile sends the call to its foundation model in any Region it routes to; the grant names that one model and holds only for calls through this profile (condition bedrock:InferenceProfileArn). Pass inferenceProfileRegions to list the Regions instead.');
        }
      }
    }
  }
}
