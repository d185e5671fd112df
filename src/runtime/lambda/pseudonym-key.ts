/**
 * Loads the pseudonymisation key (HMAC key for study/series/instance keys) from
 * Secrets Manager once per container. The secret string's UTF-8 bytes are the key.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Shortest accepted key: 16 bytes (128 bits). */
export const MIN_PSEUDONYM_KEY_BYTES = 16;

export type PseudonymKeyLoader = () => Promise<Uint8Array>;

export class PseudonymKeyError extends Error {
  constructor(problem: string) {
    super(`Pseudonym key ${problem}`);
    this.name = 'PseudonymKeyError';
  }
}

/** A loader that reads the secret on first use and caches it; a failed read is retried next time. */
export function secretsManagerKeyLoader(client: SecretsManagerClient, secretArn: string): PseudonymKeyLoader {
  let cached: Promise<Uint8Array> | undefined;
  return () => {
    if (cached === undefined) {
      cached = readKey(client, secretArn).catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
    }
    return cached;
  };
}

async function readKey(client: SecretsManagerClient, secretArn: string): Promise<Uint8Array> {
  const response = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (response.SecretString === undefined) {
    throw new PseudonymKeyError('secret has no SecretString');
  }
  const key = Buffer.from(response.SecretString, 'utf8');
  if (key.length < MIN_PSEUDONYM_KEY_BYTES) {
    throw new PseudonymKeyError(`is shorter than ${MIN_PSEUDONYM_KEY_BYTES} bytes`);
  }
  return new Uint8Array(key);
}
