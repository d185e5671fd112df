/**
 * The settings an AI-service analyzer's construct gives its function (one
 * JSON environment variable), read back and checked by the handler. One module
 * for both sides, so the two cannot drift apart.
 */
import { SageMakerInputFormat } from './sagemaker-answer';
import { EnvVar } from '../../shared/env';

/** Environment variable holding the settings JSON. */

export interface RekognitionSettings {
  readonly service: 'rekognition';
  /** Custom Labels model version; DetectLabels when absent. */
  readonly projectVersionArn?: string;
  /** 0-100 (the service's scale); the service's default when absent. */
  readonly minConfidence?: number;
  readonly maxLabels: number;
}

export interface BedrockSettings {
  readonly service: 'bedrock';
  /** What Converse is called with: model id, inference profile id or ARN. */
  readonly modelId: string;
  /** Model id and version written into results. */
  readonly recordedModelId: string;
  readonly modelVersion: string;
  readonly maxTokens: number;
  readonly temperature: number;
  /** @default DEFAULT_SYSTEM_PROMPT */
  readonly systemPrompt?: string;
  /** @default DEFAULT_PROMPT */
  readonly prompt?: string;
}

export interface SageMakerAsyncSettings {
  /** How long a batch waits for its outputs before it is FAILED with TIMEOUT. */
  readonly maxWaitSeconds: number;
  /** First wait between polls; it doubles up to MAX_POLL_SECONDS. */
  readonly initialPollSeconds: number;
  /** `s3://bucket/prefix` of the endpoint's S3OutputPath and S3FailurePath: the only places outputs are read from. */
  readonly outputLocations: string[];
}

export interface SageMakerSettings {
  readonly service: 'sagemaker';
  readonly endpointName: string;
  readonly inputFormat: SageMakerInputFormat;
  /** Largest request body sent (real-time endpoints). */
  readonly maxPayloadBytes: number;
  /** Model id written into results. */
  readonly modelId: string;
  /** Present for an asynchronous endpoint. */
  readonly async?: SageMakerAsyncSettings;
}

export type ServiceAnalyzerSettings = RekognitionSettings | BedrockSettings | SageMakerSettings;

/** Thrown when the settings variable is missing or not what the construct writes (no values in the message). */
export class InvalidAnalyzerSettingsError extends Error {
  constructor(problem: string) {
    super(`${EnvVar.ANALYZER_SETTINGS} ${problem}`);
    this.name = 'InvalidAnalyzerSettingsError';
  }
}

type Fields = Record<string, unknown>;

function need(ok: boolean, problem: string): void {
  if (!ok) throw new InvalidAnalyzerSettingsError(problem);
}

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
const isWhole = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isNumberIn = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);

function fieldsOf(raw: string | undefined, service: ServiceAnalyzerSettings['service']): Fields {
  need(raw !== undefined && raw !== '', 'is not set');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw!);
  } catch {
    throw new InvalidAnalyzerSettingsError('is not JSON');
  }
  need(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), 'is not a JSON object');
  need((parsed as Fields).service === service, `is not for the ${service} analyzer`);
  return parsed as Fields;
}

export function readRekognitionSettings(raw: string | undefined): RekognitionSettings {
  const s = fieldsOf(raw, 'rekognition');
  need(optional(s.projectVersionArn, isText), 'projectVersionArn must be a string');
  need(optional(s.minConfidence, (v) => isNumberIn(v, 0, 100)), 'minConfidence must be 0-100');
  need(isWhole(s.maxLabels, 1, 1000), 'maxLabels must be a whole number 1-1000');
  return s as unknown as RekognitionSettings;
}

export function readBedrockSettings(raw: string | undefined): BedrockSettings {
  const s = fieldsOf(raw, 'bedrock');
  for (const field of ['modelId', 'recordedModelId', 'modelVersion']) need(isText(s[field]), `${field} must be a string`);
  need(isWhole(s.maxTokens, 1, 1_000_000), 'maxTokens must be a positive whole number');
  need(isNumberIn(s.temperature, 0, 1), 'temperature must be 0-1');
  need(optional(s.systemPrompt, isText) && optional(s.prompt, isText), 'prompts must be strings');
  return s as unknown as BedrockSettings;
}

export function readSageMakerSettings(raw: string | undefined): SageMakerSettings {
  const s = fieldsOf(raw, 'sagemaker');
  need(isText(s.endpointName) && isText(s.modelId), 'endpointName and modelId must be strings');
  need(Object.values(SageMakerInputFormat).includes(s.inputFormat as SageMakerInputFormat), 'inputFormat must be PNG or DICOM');
  need(isWhole(s.maxPayloadBytes, 1, 1024 * 1024 * 1024), 'maxPayloadBytes must be a positive whole number');
  if (s.async !== undefined) {
    const a = s.async as Fields;
    need(typeof a === 'object' && a !== null, 'async must be an object');
    need(isWhole(a.maxWaitSeconds, 60, 6 * 3600) && isWhole(a.initialPollSeconds, 1, 3600), 'async wait settings are out of range');
    need(Array.isArray(a.outputLocations) && a.outputLocations.length > 0
      && (a.outputLocations as unknown[]).every((l) => typeof l === 'string' && l.startsWith('s3://')), 'async.outputLocations must be s3:// URIs');
  }
  return s as unknown as SageMakerSettings;
}
