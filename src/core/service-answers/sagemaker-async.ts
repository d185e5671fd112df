/**
 * The asynchronous SageMaker analyzer's progress through one batch: requests
 * submitted with InvokeEndpointAsync, then polled until every output is in S3,
 * one has failed, or the wait is over. The progress travels in the workflow
 * state between the Wait and the poll, so it holds S3 locations, never findings.
 */
import { AnalyzerResult } from '../../shared/analyzer-result';

/** Longest wait between two polls. */
export const MAX_POLL_SECONDS = 60;

/** One submitted request. */
export interface AsyncRequest {
  readonly imageRef: string;
  /** `s3://` URI the endpoint writes the answer to. */
  readonly outputLocation: string;
  /** `s3://` URI the endpoint writes an error to, when its config names a failure path. */
  readonly failureLocation?: string;
}

export interface AsyncPending {
  readonly analyzerName: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly deadline: number;
  readonly requests: AsyncRequest[];
}

/**
 * What the start and poll steps return; the state machine reads `done`,
 * `waitSeconds` (the Wait's SecondsPath) and `result`.
 */
export interface AsyncBatchProgress {
  readonly done: boolean;
  /** The batch's result, once done. */
  readonly result?: AnalyzerResult;
  /** Seconds to wait before the next poll, while not done. */
  readonly waitSeconds?: number;
  readonly pending?: AsyncPending;
}

/** The next wait: twice the last, at most MAX_POLL_SECONDS, never past the deadline (at least 1 s). */
export function nextWaitSeconds(lastWaitSeconds: number, now: number, deadline: number): number {
  const remaining = Math.ceil((deadline - now) / 1000);
  return Math.max(1, Math.min(lastWaitSeconds * 2, MAX_POLL_SECONDS, remaining));
}

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key` as bucket and key; undefined for anything else. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  return match === null ? undefined : { bucket: match[1], key: match[2] };
}

/** True when `uri` lies under one of `allowed` (`s3://bucket/prefix`): outputs are read from nowhere else. */
export function isUnderLocations(uri: string, allowed: readonly string[]): boolean {
  const target = parseS3Uri(uri);
  if (target === undefined || target.key.split('/').includes('..')) return false;
  return allowed.some((location) => {
    const base = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
    return base !== null && base[1] === target.bucket && target.key.startsWith(base[2]);
  });
}
