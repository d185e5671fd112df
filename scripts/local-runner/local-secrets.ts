/**
 * Secrets Manager, locally: GetSecretValue for the template's secrets, each
 * generated (GenerateSecretString) once per work directory and kept there, so
 * the secret outlives restarts, as in AWS.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ServiceError } from './aws-stand-ins';
import type { CfnTemplate, LocalNames } from './template';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class LocalSecrets {
  private readonly values = new Map<string, string>();

  constructor(private readonly template: CfnTemplate, private readonly names: LocalNames, private readonly workDir: string) {}

  public getSecretValue(secretId: string): { arn: string; name: string; secretString: string } {
    const id = this.names.logicalIdOf(secretId, 'AWS::SecretsManager::Secret');
    if (id === undefined) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    let value = this.values.get(id);
    if (value === undefined) {
      value = this.storedOrGenerated(id);
      this.values.set(id, value);
    }
    return { arn: this.names.arn(id), name: id, secretString: value };
  }

  private storedOrGenerated(id: string): string {
    const file = path.join(this.workDir, `secret-${id}.txt`);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    const spec = (this.template.Resources[id].Properties?.GenerateSecretString ?? {}) as { PasswordLength?: number };
    const value = Array.from(crypto.randomBytes(spec.PasswordLength ?? 32), (b) => ALPHABET[b % ALPHABET.length]).join('');
    fs.writeFileSync(file, value, { mode: 0o600 });
    return value;
  }
}
