import { Duration, Token } from 'aws-cdk-lib';
import { assertValidAnalyzerName } from './analyzer-name';
import { AnalyzerOptions } from './analyzer-options';
import { ImageSelection } from './image-selection';
import { AnalyzerApplicability, MAX_BATCH_SIZE } from '../../shared/analysis-plan';

/** An analyzer's settings with its own defaults filled in, validated. */
export interface ResolvedAnalyzerOptions {
  readonly name: string;
  readonly selection: ImageSelection;
  readonly applicability?: AnalyzerApplicability;
  readonly timeout: Duration;
  readonly batchSize: number;
  readonly maxConcurrency: number;
}

export interface AnalyzerDefaults {
  readonly name: string;
  readonly selection: ImageSelection;
  readonly timeout: Duration;
  readonly batchSize: number;
  readonly maxConcurrency: number;
}

const MAX_TIMEOUT_SECONDS = 15 * 60;

export function resolveAnalyzerOptions(kind: string, options: AnalyzerOptions, defaults: AnalyzerDefaults): ResolvedAnalyzerOptions {
  const name = options.name ?? defaults.name;
  assertValidAnalyzerName(name);
  const batchSize = options.batchSize ?? defaults.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new Error(`${kind} '${name}': batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}.`);
  }
  const maxConcurrency = options.maxConcurrency ?? defaults.maxConcurrency;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 1000) {
    throw new Error(`${kind} '${name}': maxConcurrency must be a whole number from 1 to 1000, got ${maxConcurrency}.`);
  }
  const timeout = options.timeout ?? defaults.timeout;
  if (!Token.isUnresolved(timeout) && (timeout.toSeconds() < 1 || timeout.toSeconds() > MAX_TIMEOUT_SECONDS)) {
    throw new Error(`${kind} '${name}': timeout must be between 1 second and 15 minutes, got ${timeout.toHumanString()}.`);
  }
  for (const [field, value] of [['minImageWidth', options.applicability?.minImageWidth], ['minImageHeight', options.applicability?.minImageHeight]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new Error(`${kind} '${name}': applicability.${field} must be a whole number of pixels, got ${value}.`);
    }
  }
  return { name, selection: options.selection ?? defaults.selection, applicability: options.applicability, timeout, batchSize, maxConcurrency };
}
