import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { numberEnv, optionalEnv, requireEnv } from '../../../src/runtime/lambda/env';
import { errorName, safeFields } from '../../../src/runtime/lambda/logger';
import { secretsManagerKeyLoader } from '../../../src/runtime/lambda/pseudonym-key';

const secrets = mockClient(SecretsManagerClient);
afterAll(() => secrets.restore());
beforeEach(() => secrets.reset());

describe('pseudonym key loader', () => {
  const client = () => new SecretsManagerClient({ region: 'us-east-1' });

  test('reads the secret once per container and returns its UTF-8 bytes', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'a-long-enough-secret-key' });
    const load = secretsManagerKeyLoader(client(), 'arn:secret');
    const [first, second] = [await load(), await load()];
    expect(Buffer.from(first).toString()).toBe('a-long-enough-secret-key');
    expect(second).toBe(first);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'arn:secret' });
  });

  test('a failed read is retried on the next call', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'a-long-enough-secret-key' });
    const load = secretsManagerKeyLoader(client(), 'arn:secret');
    await expect(load()).rejects.toThrow('throttled');
    await expect(load()).resolves.toBeInstanceOf(Uint8Array);
  });

  test('refuses a short or binary-only secret', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(secretsManagerKeyLoader(client(), 'a')()).rejects.toMatchObject({ name: 'PseudonymKeyError' });
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array(32) });
    await expect(secretsManagerKeyLoader(client(), 'b')()).rejects.toMatchObject({ name: 'PseudonymKeyError' });
  });
});

describe('environment', () => {
  test('required, optional and numeric settings', () => {
    expect(requireEnv('TABLE_NAME', { TABLE_NAME: 't' })).toBe('t');
    expect(() => requireEnv('TABLE_NAME', {})).toThrow('TABLE_NAME is not set');
    expect(optionalEnv('UPLOAD_PREFIX', { UPLOAD_PREFIX: '' })).toBeUndefined();
    expect(numberEnv('QUIET_PERIOD_SECONDS', 300, {})).toBe(300);
    expect(numberEnv('QUIET_PERIOD_SECONDS', 300, { QUIET_PERIOD_SECONDS: '60' })).toBe(60);
    expect(() => numberEnv('QUIET_PERIOD_SECONDS', 300, { QUIET_PERIOD_SECONDS: 'soon' })).toThrow('not a number');
  });
});

describe('PHI-safe logging helpers', () => {
  test('only allow-listed scalar fields survive', () => {
    expect(safeFields({ studyKey: 'k', version: 2, key: 'uploads/DOE^JANE.dcm', message: 'x', status: { nested: 1 } }))
      .toEqual({ studyKey: 'k', version: 2 });
  });

  test('error names, never messages; odd names become UnknownError', () => {
    const error = new Error('DOE^JANE failed');
    expect(errorName(error)).toBe('Error');
    expect(errorName(Object.assign(new Error('x'), { name: 'Name with DOE^JANE' }))).toBe('UnknownError');
    expect(errorName('string thrown')).toBe('UnknownError');
  });
});
