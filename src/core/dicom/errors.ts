import { RejectionReasonValue } from '../../shared/events';
import { InputRejection } from '../../shared/rejection';

/** A DICOM object the pipeline refuses. */
export class DicomRejection extends InputRejection {
  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(reasonCode, message);
    this.name = 'DicomRejection';
  }
}
