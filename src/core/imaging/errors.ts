import { RejectionReasonValue } from '../../shared/events';
import { InputRejection } from '../../shared/rejection';

/** An image the pipeline refuses (corrupt, too large, unsupported coding). */
export class ImageRejection extends InputRejection {
  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(reasonCode, message);
    this.name = 'ImageRejection';
  }
}
