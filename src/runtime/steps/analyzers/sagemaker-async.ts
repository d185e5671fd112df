/**
 * `Analyzer.sageMakerEndpoint({ asyncInference })`: each image of the batch
 * is submitted with InvokeEndpointAsync, its input location being the
 * de-identified derived object itself (nothing is copied); the workflow then
 * waits and polls until every answer is in the endpoint's S3 output path.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { assertInvocation } from './analyze-batch';
import { readBoundedObject } from './derived-image';
import { inputKey, SAGEMAKER_RUNTIME_ERRORS } from './sagemaker';
import { callService } from './service-errors';
import {
  findingsFromEndpoint, MAX_ENDPOINT_ANSWER_BYTES, SAGEMAKER_ACCEPT, SAGEMAKER_CONTENT_TYPES,
} from '../../../core/service-answers/sagemaker-answer';
import {
  AsyncBatchProgress, AsyncPending, AsyncRequest, isUnderLocations, nextWaitSeconds, parseS3Uri,
} from '../../../core/service-answers/sagemaker-async';
import { SageMakerAsyncSettings, SageMakerSettings } from '../../../core/service-answers/settings';
import { AnalyzerErrorCode, AnalyzerErrorCodeValue } from '../../../shared/analyzer-errors';
import {
  ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerInvocation, AnalyzerResult, AnalyzerStatus,
} from '../../../shared/analyzer-result';
import { SafeLog } from '../../lambda/logger';
import { InvalidStepInputError } from '../workflow-input';

export interface SageMakerAsyncDeps {
  readonly s3: S3Client;
  readonly sageMaker: SageMakerRuntimeClient;
  readonly settings: SageMakerSettings & { readonly async: SageMakerAsyncSettings };
  readonly log: SafeLog;
  readonly clock?: () => number;
}

/** What the poll state sends back. */
export interface AsyncPollRequest {
  readonly progress: AsyncBatchProgress;
}

/** How a batch ended: the findings of every image, or why it failed. */
type AsyncOutcome = { readonly findings: AnalyzerFinding[]; readonly modelVersion?: string } | { readonly errorCode: AnalyzerErrorCodeValue };

function finished(
  deps: SageMakerAsyncDeps, pending: Pick<AsyncPending, 'analyzerName' | 'startedAt'>, imageCount: number, outcome: AsyncOutcome,
): AsyncBatchProgress {
  const now = (deps.clock ?? Date.now)();
  const failed = 'errorCode' in outcome;
  const result: AnalyzerResult = {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: pending.analyzerName,
    modelId: deps.settings.modelId,
    modelVersion: (!failed && outcome.modelVersion) || 'unknown',
    status: failed ? AnalyzerStatus.FAILED : AnalyzerStatus.SUCCEEDED,
    findings: failed ? [] : outcome.findings,
    durationMs: Math.max(0, now - pending.startedAt),
    imageCount,
    ...(failed ? { errorCode: outcome.errorCode } : {}),
  };
  return { done: true, result };
}

/** Submits every image of the batch; FAILED at once for a non-retryable refusal. */
export async function startAsyncBatch(deps: SageMakerAsyncDeps, invocation: AnalyzerInvocation): Promise<AsyncBatchProgress> {
  assertInvocation(invocation);
  const { settings } = deps;
  const startedAt = (deps.clock ?? Date.now)();
  const images = invocation.batch.images;
  const batch = { analyzerName: invocation.analyzerName, startedAt };
  const fail = (errorCode: AnalyzerErrorCodeValue) => finished(deps, batch, images.length, { errorCode });
  const waitSeconds = settings.async.maxWaitSeconds;
  const requests: AsyncRequest[] = [];
  for (const image of images) {
    const key = inputKey(image, settings.inputFormat);
    if (key === undefined) return fail(AnalyzerErrorCode.INVALID_REQUEST);
    const submitted = await callService(() => deps.sageMaker.send(new InvokeEndpointAsyncCommand({
      EndpointName: settings.endpointName,
      InputLocation: `s3://${image.bucket}/${key}`,
      ContentType: SAGEMAKER_CONTENT_TYPES[settings.inputFormat],
      Accept: SAGEMAKER_ACCEPT,
      // Nobody waits past the deadline: a request still queued then expires instead of running.
      RequestTTLSeconds: Math.min(Math.max(waitSeconds, 60), 21_600),
      InvocationTimeoutSeconds: Math.min(waitSeconds, 3600),
    })), SAGEMAKER_RUNTIME_ERRORS);
    if (!submitted.ok) return fail(submitted.errorCode);
    const { OutputLocation: outputLocation, FailureLocation: failureLocation } = submitted.value;
    if (outputLocation === undefined || !isUnderLocations(outputLocation, settings.async.outputLocations)
      || (failureLocation !== undefined && !isUnderLocations(failureLocation, settings.async.outputLocations))) {
      // The endpoint writes somewhere this analyzer was not configured (and granted) to read.
      deps.log.warn('Async output outside the configured locations', { analyzerName: invocation.analyzerName });
      return fail(AnalyzerErrorCode.INVALID_REQUEST);
    }
    requests.push({ imageRef: image.imageRef, outputLocation, ...(failureLocation === undefined ? {} : { failureLocation }) });
  }
  const pending: AsyncPending = { analyzerName: invocation.analyzerName, startedAt, deadline: startedAt + waitSeconds * 1000, requests };
  return { done: false, waitSeconds: settings.async.initialPollSeconds, pending };
}

type RequestState = { state: 'pending' } | { state: 'failed' } | { state: 'answered'; body: Uint8Array } | { state: 'error'; errorCode: AnalyzerErrorCodeValue };

async function requestState(deps: SageMakerAsyncDeps, request: AsyncRequest): Promise<RequestState> {
  for (const [uri, isFailure] of [[request.outputLocation, false], [request.failureLocation, true]] as const) {
    if (uri === undefined) continue;
    const location = parseS3Uri(uri);
    if (location === undefined || !isUnderLocations(uri, deps.settings.async.outputLocations)) return { state: 'error', errorCode: AnalyzerErrorCode.INVALID_REQUEST };
    const read = await readBoundedObject(deps.s3, location, MAX_ENDPOINT_ANSWER_BYTES);
    if (!read.ok) return { state: 'error', errorCode: read.errorCode };
    if (read.value.kind === 'missing') continue;
    if (isFailure) return { state: 'failed' };
    if (read.value.kind === 'too-large') return { state: 'error', errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT };
    return { state: 'answered', body: read.value.bytes };
  }
  return { state: 'pending' };
}

/** Checks every request once: the batch's result when all answered (or one failed), else how long to wait. */
export async function pollAsyncBatch(deps: SageMakerAsyncDeps, request: AsyncPollRequest): Promise<AsyncBatchProgress> {
  const progress = request?.progress;
  const pending = progress?.pending;
  if (pending === undefined || !Array.isArray(pending.requests) || typeof pending.analyzerName !== 'string') {
    throw new InvalidStepInputError('progress.pending is required');
  }
  const now = (deps.clock ?? Date.now)();
  const done = (outcome: AsyncOutcome) => finished(deps, pending, pending.requests.length, outcome);
  const findings: AnalyzerFinding[] = [];
  let modelVersion: string | undefined;
  let waiting = false;
  for (const item of pending.requests) {
    const state = await requestState(deps, item);
    if (state.state === 'error') return done({ errorCode: state.errorCode });
    if (state.state === 'failed') return done({ errorCode: AnalyzerErrorCode.MODEL_ERROR });
    if (state.state === 'pending') {
      waiting = true;
      continue;
    }
    const reading = findingsFromEndpoint(state.body, item.imageRef);
    if (!reading.ok) {
      deps.log.warn('Model answer refused', { analyzerName: pending.analyzerName, errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT, problem: reading.problem });
      return done({ errorCode: AnalyzerErrorCode.MALFORMED_MODEL_OUTPUT });
    }
    findings.push(...reading.findings);
    modelVersion = reading.modelVersion ?? modelVersion;
  }
  if (!waiting) return done({ findings, modelVersion });
  if (now >= pending.deadline) return done({ errorCode: AnalyzerErrorCode.TIMEOUT });
  return { done: false, waitSeconds: nextWaitSeconds(progress.waitSeconds ?? 1, now, pending.deadline), pending };
}
