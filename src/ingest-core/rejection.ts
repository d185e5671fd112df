import { RejectionReasonValue } from '../shared/events';

/**
 * Input the ingest refuses: the object goes to quarantine with `reasonCode`.
 * The message is PHI-free by construction (fixed texts, never tag values).
 */
export class IngestRejection extends Error {
  public readonly reasonCode: RejectionReasonValue;

  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(message);
    this.name = 'IngestRejection';
    this.reasonCode = reasonCode;
  }
}

/**
 * True for an `IngestRejection`. Also recognises one from another copy of this
 * module (two bundles in one process), where `instanceof` would fail.
 */
export function isRejection(e: unknown): e is IngestRejection {
  if (e instanceof IngestRejection) return true;
  return e instanceof Error && e.name === 'IngestRejection' && typeof (e as { reasonCode?: unknown }).reasonCode === 'string';
}
