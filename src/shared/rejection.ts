import { RejectionReasonValue } from './events';

/**
 * Input the pipeline refuses, with a machine-readable reason. Messages are fixed
 * texts that name the reason, never a tag value or file content (both may be PHI).
 */
export class InputRejection extends Error {
  public readonly reasonCode: RejectionReasonValue;

  constructor(reasonCode: RejectionReasonValue, message: string) {
    super(message);
    this.name = 'InputRejection';
    this.reasonCode = reasonCode;
  }
}
