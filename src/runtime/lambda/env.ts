/** Reads the environment the constructs set (names from src/shared/env.ts). */
import { EnvVarName } from '../../shared/env';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown when a handler is deployed without a setting it needs (no values in the message). */
export class MissingSettingError extends Error {
  constructor(name: string, problem: string) {
    super(`Environment variable ${name} ${problem}`);
    this.name = 'MissingSettingError';
  }
}

export function requireEnv(name: EnvVarName, env: Environment = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new MissingSettingError(name, 'is not set');
  }
  return value;
}

export function optionalEnv(name: EnvVarName, env: Environment = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A number setting; `fallback` when unset, an error when set but not a finite number. */
export function numberEnv(name: EnvVarName, fallback: number, env: Environment = process.env): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new MissingSettingError(name, 'is not a number');
  }
  return value;
}
