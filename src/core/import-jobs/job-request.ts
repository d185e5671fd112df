/**
 * What a HealthImaging import job is started with: an idempotency token and a
 * name derived from the study version alone, and the S3 URIs of its staged
 * input and its output.
 */
import { createHash } from 'node:crypto';

/** StartDICOMImportJob accepts client tokens and job names of at most 64 characters. */
const MAX_TOKEN_LENGTH = 64;

/**
 * The same token for every start of one study version's import into one data
 * store, so a retried or repeated start returns the job already submitted
 * (SHA-256 hex: 64 characters of `[0-9a-f]`, inside the API's `[A-Za-z0-9._-]+`).
 */
export function importClientToken(datastoreId: string, studyKey: string, version: number): string {
  return createHash('sha256').update(`${datastoreId}\0${studyKey}\0${version}`, 'utf8').digest('hex').slice(0, MAX_TOKEN_LENGTH);
}

/** A job name a person can match to the study in the HealthImaging console (pseudonymous key and version only). */
export function importJobName(studyKey: string, version: number): string {
  return `study-${studyKey}-v${version}`.replace(/[^A-Za-z0-9._/#-]/g, '-').slice(0, MAX_TOKEN_LENGTH);
}

export interface S3Location {
  readonly bucket: string;
  /** Object key or key prefix, without a leading slash. */
  readonly key: string;
}

export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Parses `s3://bucket/key`; undefined for anything else. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  return match === null ? undefined : { bucket: match[1], key: match[2] ?? '' };
}
