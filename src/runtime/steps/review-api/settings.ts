/** Settings of the review API functions that the construct passes in their environment. */
import { EnvVar } from '../../../shared/env';
import { Environment, MissingSettingError } from '../../lambda/env';

const PREVIEW_URL_EXPIRY_ENV = EnvVar.PREVIEW_URL_EXPIRY_SECONDS;
const DEFAULT_SECONDS = 300;
/** SigV4 presigned URLs are valid for at most 7 days; previews need minutes. */
const MAX_SECONDS = 3600;

export function previewUrlExpirySeconds(env: Environment = process.env): number {
  const raw = env[PREVIEW_URL_EXPIRY_ENV];
  if (raw === undefined || raw === '') return DEFAULT_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SECONDS) {
    throw new MissingSettingError(PREVIEW_URL_EXPIRY_ENV, `must be a whole number of seconds from 1 to ${MAX_SECONDS}`);
  }
  return seconds;
}
