/**
 * The SageMaker endpoint analyzer's request/response contract.
 *
 * Request: the body is the image itself, with `ContentType` `image/png` (the
 * analysis-sized 8-bit gray PNG) or `application/dicom` (the de-identified
 * DICOM Part 10 object), and `Accept: application/json`.
 * Response: JSON `{ "findings": [{ "label", "confidence" (0..1), "code"?,
 * "codeSystem"?, "region"?: { "left", "top", "width", "height" } }],
 * "modelVersion"? }`; region values are fractions of the image.
 */
import { readModelOutput, ModelOutputReading } from './model-output';

export enum SageMakerInputFormat {
  /** The analysis-sized 8-bit gray PNG (long side at most 1568 px). */
  PNG = 'PNG',
  /** The de-identified DICOM Part 10 object (DICOM uploads only). */
  DICOM = 'DICOM',
}

export const SAGEMAKER_CONTENT_TYPES: Readonly<Record<SageMakerInputFormat, string>> = {
  [SageMakerInputFormat.PNG]: 'image/png',
  [SageMakerInputFormat.DICOM]: 'application/dicom',
};

export const SAGEMAKER_ACCEPT = 'application/json';

/** Largest answer read (a findings document is a few kilobytes). */
export const MAX_ENDPOINT_ANSWER_BYTES = 1024 * 1024;

/** Reads the endpoint's answer for one image. */
export function findingsFromEndpoint(body: Uint8Array, imageRef: string): ModelOutputReading {
  if (body.length > MAX_ENDPOINT_ANSWER_BYTES) return { ok: false, problem: 'the answer is larger than 1 MiB' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return { ok: false, problem: 'the answer is not UTF-8 JSON' };
  }
  return readModelOutput(parsed, imageRef);
}
