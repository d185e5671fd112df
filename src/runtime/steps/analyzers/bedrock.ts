/**
 * `Analyzer.bedrock()`: each analysis PNG goes to a multimodal model through
 * the Converse API with the prompt, and the model is made to answer through
 * one tool whose input schema is the findings shape; an answer that does not
 * fit is a FAILED result (MALFORMED_MODEL_OUTPUT), never a crash.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { analyzeBatch, BatchDeps, ServiceAnalyzer } from './analyze-batch';
import { readAnalysisPng } from './derived-image';
import { callService, ErrorTable, fail, THROTTLED, TIMED_OUT, UNAVAILABLE } from './service-errors';
import {
  DEFAULT_PROMPT, DEFAULT_SYSTEM_PROMPT, FINDINGS_TOOL_NAME, findingsFromConverse, findingsInputSchema, promptText, tokenUsageOf,
} from '../../../core/service-answers/bedrock-answer';
import { CONVERSE_IMAGE_LIMITS } from '../../../core/service-answers/image-limits';
import { BedrockSettings } from '../../../core/service-answers/settings';
import { AnalyzerErrorCode } from '../../../shared/analyzer-errors';
import { AnalyzerInvocation, AnalyzerResult, ImageReference } from '../../../shared/analyzer-result';

/** Every error Converse documents. */
export const CONVERSE_ERRORS: ErrorTable = {
  AccessDeniedException: fail(AnalyzerErrorCode.ACCESS_DENIED),
  InternalServerException: UNAVAILABLE,
  ModelErrorException: fail(AnalyzerErrorCode.MODEL_ERROR),
  // Documented as transient (the model is being loaded): worth the workflow's retries.
  ModelNotReadyException: UNAVAILABLE,
  ModelTimeoutException: TIMED_OUT,
  // Unknown model id or profile, or no access granted to the model in this Region.
  ResourceNotFoundException: fail(AnalyzerErrorCode.MODEL_NOT_AVAILABLE),
  ServiceUnavailableException: UNAVAILABLE,
  ThrottlingException: THROTTLED,
  // E.g. a model without image input or tool use, or an unsupported parameter.
  ValidationException: fail(AnalyzerErrorCode.INVALID_REQUEST),
};

export interface BedrockDeps extends BatchDeps {
  readonly s3: S3Client;
  readonly bedrock: BedrockRuntimeClient;
  readonly settings: BedrockSettings;
}

/** The Converse request for one image: prompt and image, the findings tool forced. */
export function converseInput(settings: BedrockSettings, image: ImageReference, png: Uint8Array): ConverseCommandInput {
  return {
    modelId: settings.modelId,
    system: [{ text: settings.systemPrompt ?? DEFAULT_SYSTEM_PROMPT }],
    messages: [{
      role: 'user',
      content: [
        { image: { format: 'png', source: { bytes: png } } },
        { text: promptText(settings.prompt ?? DEFAULT_PROMPT, { modality: image.modality, bodyPart: image.bodyPart }) },
      ],
    }],
    inferenceConfig: { maxTokens: settings.maxTokens, temperature: settings.temperature },
    toolConfig: {
      tools: [{
        toolSpec: {
          name: FINDINGS_TOOL_NAME,
          description: 'Records the findings visible in the image.',
          inputSchema: { json: findingsInputSchema() },
        },
      }],
      toolChoice: { tool: { name: FINDINGS_TOOL_NAME } },
    },
  };
}

export function bedrockAnalyzer(deps: BedrockDeps): ServiceAnalyzer {
  const { settings } = deps;
  return {
    modelId: settings.recordedModelId,
    modelVersion: settings.modelVersion,
    analyzeImage: async (image, abortSignal) => {
      const png = await readAnalysisPng(deps.s3, { bucket: image.bucket, key: image.analysisKey }, CONVERSE_IMAGE_LIMITS, abortSignal);
      if (!png.ok) return png;
      const answer = await callService(() => deps.bedrock.send(new ConverseCommand(converseInput(settings, image, png.value)), { abortSignal }),
        CONVERSE_ERRORS);
      if (!answer.ok) return answer;
      const tokenUsage = tokenUsageOf(answer.value);
      const reading = findingsFromConverse(answer.value, image.imageRef);
      const usage = tokenUsage === undefined ? {} : { tokenUsage };
      return reading.ok
        ? { ok: true, findings: reading.findings, ...usage }
        : { ok: false, errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT, problem: reading.problem, ...usage };
    },
  };
}

export function analyzeWithBedrock(deps: BedrockDeps, invocation: AnalyzerInvocation): Promise<AnalyzerResult> {
  return analyzeBatch(bedrockAnalyzer(deps), invocation, deps);
}
