import { RejectionReasonValue } from '../shared/events';

/**
 * A DICOM object the pipeline refuses. The message names the reason only,
 * never a tag value (tag values may be PHI).
 */
export class DicomRejection extends Error {
  public readonly reasonCode: RejectionReasonValue;

  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(message);
    this.name = 'DicomRejection';
    this.reasonCode = reasonCode;
  }
}
