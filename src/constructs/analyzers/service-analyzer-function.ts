/**
 * The function behind each AI-service analyzer: the library's handler bundle,
 * its settings as one JSON environment variable, read access to the
 * de-identified derived images, and the binding the workflow runs it by.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ResolvedAnalyzerOptions } from './analyzer-settings';
import { AnalyzerBindOptions, AnalyzerBinding } from './image-analyzer';
import { LambdaFunctionAnalyzer } from './lambda-function-analyzer';
import { ServiceAnalyzerSettings } from '../../core/service-answers/settings';
import { EnvVar } from '../../shared/env';
import { createHandlerFunction } from '../helpers/handler-function';

/** Lambda allows 4 KB of environment in all; the rest is left for the variables every function has. */
export const MAX_SETTINGS_CHARS = 3500;

/** Reserved concurrency of each analyzer function (the library's analyzer stage default). */
const ANALYZER_RESERVED_CONCURRENCY = 10;

export interface ServiceAnalyzerFunctionProps {
  /** Bundle name, `analyzers/<name>.lambda`. */
  readonly bundle: string;
  readonly description: string;
  readonly settings: ServiceAnalyzerSettings;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** The factory name, for error messages. */
  readonly kind: string;
  readonly analyzerName: string;
}

/** Settings as JSON (with CloudFormation tokens resolved at deploy time when there are any). */
export function settingsJson(scope: Construct, props: ServiceAnalyzerFunctionProps): string {
  const plain = JSON.stringify(props.settings);
  if (Token.isUnresolved(plain)) return Stack.of(scope).toJsonString(props.settings);
  if (plain.length > MAX_SETTINGS_CHARS) {
    throw new Error(`${props.kind} '${props.analyzerName}': its settings (prompts included) take ${plain.length} characters; `
      + `Lambda environments hold 4 KB, so keep them under ${MAX_SETTINGS_CHARS}.`);
  }
  return plain;
}

export function createServiceAnalyzerFunction(scope: Construct, options: AnalyzerBindOptions, props: ServiceAnalyzerFunctionProps): lambda.Function {
  return createHandlerFunction(scope, `${options.idPrefix}Function`, {
    bundle: props.bundle,
    description: props.description,
    encryptionKey: options.encryptionKey,
    environment: { [EnvVar.ANALYZER_SETTINGS]: settingsJson(scope, props) },
    memorySize: props.memorySize,
    timeout: props.timeout,
    defaultReservedConcurrency: ANALYZER_RESERVED_CONCURRENCY,
    options: options.functionOptions,
  });
}

/**
 * Binds the function as a one-invocation-per-batch analyzer: read access to
 * the study objects of the derived-images bucket, the batch's task state.
 */
export function bindBatchFunction(
  scope: Construct, options: AnalyzerBindOptions, fn: lambda.IFunction, settings: ResolvedAnalyzerOptions,
  model: { readonly modelId: string; readonly modelVersion: string },
): AnalyzerBinding {
  return new LambdaFunctionAnalyzer(fn, { ...settings, ...model }).bind(scope, options);
}

/** Rejects a number outside [min, max] (or not whole, when asked) with the option's name. */
export function assertInRange(kind: string, name: string, option: string, value: number | undefined, min: number, max: number, whole = false): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new Error(`${kind} '${name}': ${option} must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}, got ${value}.`);
  }
}
