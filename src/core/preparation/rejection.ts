import { RejectionReasonValue } from '../../shared/events';
import { InputRejection } from '../../shared/rejection';

/** Input the ingest refuses: the object goes to quarantine with `reasonCode`. */
export class IngestRejection extends InputRejection {
  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(reasonCode, message);
    this.name = 'IngestRejection';
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
