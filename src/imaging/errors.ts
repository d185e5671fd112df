import { RejectionReasonValue } from '../shared/events';

/** An image the pipeline refuses (corrupt, too large). The message carries no image content. */
export class ImageRejection extends Error {
  public readonly reasonCode: RejectionReasonValue;

  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(message);
    this.name = 'ImageRejection';
    this.reasonCode = reasonCode;
  }
}
