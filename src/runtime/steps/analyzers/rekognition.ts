/**
 * `Analyzer.rekognition()`: DetectLabels, or DetectCustomLabels for a Custom
 * Labels model version, on each analysis PNG, sent as bytes after its size
 * was checked against the operation's limits.
 */
import { DetectCustomLabelsCommand, DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { analyzeBatch, BatchDeps, ImageOutcome, ServiceAnalyzer } from './analyze-batch';
import { readAnalysisPng } from './derived-image';
import { callService, ErrorTable, fail, THROTTLED, UNAVAILABLE } from './service-errors';
import { CUSTOM_LABELS_IMAGE_LIMITS, DETECT_LABELS_IMAGE_LIMITS } from '../../../core/service-answers/image-limits';
import {
  customLabelsModel, DETECT_LABELS_MODEL_ID, findingsFromCustomLabels, findingsFromLabels,
} from '../../../core/service-answers/rekognition-answer';
import { RekognitionSettings } from '../../../core/service-answers/settings';
import { AnalyzerErrorCode } from '../../../shared/analyzer-errors';
import { AnalyzerInvocation, AnalyzerResult, ImageReference } from '../../../shared/analyzer-result';

/** Every error DetectLabels and DetectCustomLabels document. */
export const REKOGNITION_ERRORS: ErrorTable = {
  AccessDeniedException: fail(AnalyzerErrorCode.ACCESS_DENIED),
  ImageTooLargeException: fail(AnalyzerErrorCode.IMAGE_TOO_LARGE),
  InternalServerError: UNAVAILABLE,
  InvalidImageFormatException: fail(AnalyzerErrorCode.INVALID_REQUEST),
  InvalidParameterException: fail(AnalyzerErrorCode.INVALID_REQUEST),
  InvalidS3ObjectException: fail(AnalyzerErrorCode.INVALID_REQUEST),
  // Custom Labels: too many concurrent requests for the model's inference units.
  LimitExceededException: THROTTLED,
  ProvisionedThroughputExceededException: THROTTLED,
  ThrottlingException: THROTTLED,
  // Custom Labels: the model version does not exist, or is not running (starting one takes minutes and is billed hourly).
  ResourceNotFoundException: fail(AnalyzerErrorCode.MODEL_NOT_AVAILABLE),
  ResourceNotReadyException: fail(AnalyzerErrorCode.MODEL_NOT_AVAILABLE),
};

export interface RekognitionDeps extends BatchDeps {
  readonly s3: S3Client;
  readonly rekognition: RekognitionClient;
  readonly settings: RekognitionSettings;
}

export function rekognitionAnalyzer(deps: RekognitionDeps): ServiceAnalyzer {
  const { settings } = deps;
  const custom = settings.projectVersionArn;
  const limits = custom === undefined ? DETECT_LABELS_IMAGE_LIMITS : CUSTOM_LABELS_IMAGE_LIMITS;
  const model = custom === undefined ? { modelId: DETECT_LABELS_MODEL_ID, modelVersion: 'unknown' } : customLabelsModel(custom);

  const detect = async (bytes: Uint8Array, image: ImageReference, abortSignal: AbortSignal): Promise<ImageOutcome> => {
    if (custom !== undefined) {
      const answer = await callService(() => deps.rekognition.send(new DetectCustomLabelsCommand({
        ProjectVersionArn: custom,
        Image: { Bytes: bytes },
        MaxResults: settings.maxLabels,
        MinConfidence: settings.minConfidence,
      }), { abortSignal }), REKOGNITION_ERRORS);
      if (!answer.ok) return answer;
      return { ok: true, findings: findingsFromCustomLabels(answer.value.CustomLabels, image.imageRef, settings.maxLabels) };
    }
    const answer = await callService(() => deps.rekognition.send(new DetectLabelsCommand({
      Image: { Bytes: bytes },
      MaxLabels: settings.maxLabels,
      MinConfidence: settings.minConfidence,
    }), { abortSignal }), REKOGNITION_ERRORS);
    if (!answer.ok) return answer;
    return {
      ok: true,
      findings: findingsFromLabels(answer.value.Labels, image.imageRef, settings.maxLabels),
      modelVersion: answer.value.LabelModelVersion,
    };
  };

  return {
    ...model,
    analyzeImage: async (image, abortSignal) => {
      // An image Rekognition would refuse is never sent.
      const png = await readAnalysisPng(deps.s3, { bucket: image.bucket, key: image.analysisKey }, limits, abortSignal);
      return png.ok ? detect(png.value, image, abortSignal) : png;
    },
  };
}

export function analyzeWithRekognition(deps: RekognitionDeps, invocation: AnalyzerInvocation): Promise<AnalyzerResult> {
  return analyzeBatch(rekognitionAnalyzer(deps), invocation, deps);
}
