import { Duration } from 'aws-cdk-lib';
import { ImageSelection } from './image-selection';
import { AnalyzerApplicability } from '../../shared/analysis-plan';

/**
 * Settings every analyzer has: its name, which studies and images it sees, how
 * long one invocation may take and how many run at once.
 */
export interface AnalyzerOptions {
  /**
   * Name the analyzer is registered under (unique within a workflow; 1-64
   * letters, digits, '-', '_' or '.').
   * @default - per analyzer (see its options)
   */
  readonly name?: string;

  /**
   * Which images of a study the analyzer sees.
   * @default - per analyzer (see its options)
   */
  readonly selection?: ImageSelection;

  /**
   * When the analyzer applies (modality, body part, SOP class, source kind,
   * minimum size); a study with no matching image records SKIPPED with the reason.
   * @default - every study
   */
  readonly applicability?: AnalyzerApplicability;

  /**
   * How long one invocation (one batch) may take before it is retried, then
   * recorded FAILED with errorCode TIMEOUT.
   * @default - per analyzer (see its options)
   */
  readonly timeout?: Duration;

  /**
   * Images per invocation (1-100).
   * @default - per analyzer (see its options)
   */
  readonly batchSize?: number;

  /**
   * Invocations running at the same time for one study (stay within the
   * service's request quota).
   * @default - per analyzer (see its options)
   */
  readonly maxConcurrency?: number;
}
