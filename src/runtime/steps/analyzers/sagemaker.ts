/**
 * `Analyzer.sageMakerEndpoint()` on a real-time endpoint: InvokeEndpoint with
 * the image's bytes (the analysis PNG or the de-identified DICOM) and the
 * endpoint's JSON findings read back (contract: core/service-answers/sagemaker-answer.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { analyzeBatch, BatchDeps, ServiceAnalyzer } from './analyze-batch';
import { readImageBytes } from './derived-image';
import { callService, ErrorTable, fail, THROTTLED, UNAVAILABLE } from './service-errors';
import { findingsFromEndpoint, SAGEMAKER_ACCEPT, SAGEMAKER_CONTENT_TYPES, SageMakerInputFormat } from '../../../core/service-answers/sagemaker-answer';
import { SageMakerSettings } from '../../../core/service-answers/settings';
import { AnalyzerErrorCode } from '../../../shared/analyzer-errors';
import { AnalyzerInvocation, AnalyzerResult, ImageReference } from '../../../shared/analyzer-result';

const messageOf = (error: unknown) => String((error as { message?: unknown }).message ?? '');

/** Every error InvokeEndpoint and InvokeEndpointAsync document, and the two every AWS API can return. */
export const SAGEMAKER_RUNTIME_ERRORS: ErrorTable = {
  InternalDependencyException: UNAVAILABLE,
  InternalFailure: UNAVAILABLE,
  // The container answered 4xx/5xx; 429 is the container shedding load.
  ModelError: (error) => ((error as { OriginalStatusCode?: unknown }).OriginalStatusCode === 429 ? THROTTLED : fail(AnalyzerErrorCode.MODEL_ERROR)),
  // Documented as transient: a serverless variant being provisioned, a multi-model endpoint loading the model.
  ModelNotReadyException: UNAVAILABLE,
  ServiceUnavailable: UNAVAILABLE,
  // An unknown endpoint is a ValidationError too; its message is read to tell, never kept.
  ValidationError: (error) => (/not found/i.test(messageOf(error)) ? fail(AnalyzerErrorCode.MODEL_NOT_AVAILABLE) : fail(AnalyzerErrorCode.INVALID_REQUEST)),
  ThrottlingException: THROTTLED,
  AccessDeniedException: fail(AnalyzerErrorCode.ACCESS_DENIED),
};

export interface SageMakerDeps extends BatchDeps {
  readonly s3: S3Client;
  readonly sageMaker: SageMakerRuntimeClient;
  readonly settings: SageMakerSettings;
}

/** The derived object the endpoint is sent; undefined for DICOM input of an image that was not uploaded as DICOM. */
export function inputKey(image: ImageReference, format: SageMakerInputFormat): string | undefined {
  return format === SageMakerInputFormat.DICOM ? image.dicomKey : image.analysisKey;
}

export function sageMakerAnalyzer(deps: SageMakerDeps): ServiceAnalyzer {
  const { settings } = deps;
  return {
    modelId: settings.modelId,
    modelVersion: 'unknown',
    analyzeImage: async (image, abortSignal) => {
      const key = inputKey(image, settings.inputFormat);
      if (key === undefined) return { ok: false, errorCode: AnalyzerErrorCode.INVALID_REQUEST };
      const body = await readImageBytes(deps.s3, { bucket: image.bucket, key }, settings.maxPayloadBytes, abortSignal);
      if (!body.ok) return body;
      const answer = await callService(() => deps.sageMaker.send(new InvokeEndpointCommand({
        EndpointName: settings.endpointName,
        Body: body.value,
        ContentType: SAGEMAKER_CONTENT_TYPES[settings.inputFormat],
        Accept: SAGEMAKER_ACCEPT,
      }), { abortSignal }), SAGEMAKER_RUNTIME_ERRORS);
      if (!answer.ok) return answer;
      const reading = findingsFromEndpoint(answer.value.Body ?? new Uint8Array(0), image.imageRef);
      if (!reading.ok) return { ok: false, errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT, problem: reading.problem };
      return { ok: true, findings: reading.findings, modelVersion: reading.modelVersion ?? answer.value.InvokedProductionVariant };
    },
  };
}

export function analyzeWithSageMaker(deps: SageMakerDeps, invocation: AnalyzerInvocation): Promise<AnalyzerResult> {
  return analyzeBatch(sageMakerAnalyzer(deps), invocation, deps);
}
