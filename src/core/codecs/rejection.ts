import { RejectionReason } from '../../shared/events';
import { InputRejection } from '../../shared/rejection';

/** A compressed frame the pipeline refuses (corrupt, truncated, or a coding no installed codec reads). */
export class CodecRejection extends InputRejection {
  constructor(reasonCode: typeof RejectionReason.CORRUPT_IMAGE | typeof RejectionReason.TRUNCATED_DICOM
  | typeof RejectionReason.UNSUPPORTED_TRANSFER_SYNTAX | typeof RejectionReason.TOO_LARGE, message: string) {
    super(reasonCode, message);
    this.name = 'CodecRejection';
  }
}

/** Fixed-text CORRUPT_IMAGE rejection; codec messages are never passed on. */
export function corruptFrame(codec: string): never {
  throw new CodecRejection(RejectionReason.CORRUPT_IMAGE, `${codec} frame could not be decoded`);
}
