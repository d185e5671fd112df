/**
 * Sequences nested past what the reader can follow. dicom-parser reads
 * nested sequences by recursion, so a file nesting them thousands deep ends
 * its parse in a stack overflow: that is the file's fault (INVALID_DICOM, the
 * same answer as nesting past the de-identification's depth limit), not a
 * file cut short (TRUNCATED_DICOM).
 */
import { DicomRejection } from './errors';
import { RejectionReason } from '../../shared/events';

/** True when `e` (or the exception dicom-parser wrapped in it) is a stack overflow. */
export function isStackOverflow(e: unknown): boolean {
  const inner = typeof e === 'object' && e !== null && 'exception' in e ? (e as { exception: unknown }).exception : e;
  // By name, not instanceof: the error may come from another realm (jest, vm).
  return typeof inner === 'object' && inner !== null && (inner as { name?: unknown }).name === 'RangeError'
    && /call stack/i.test(String((inner as { message?: unknown }).message));
}

export function nestedTooDeeply(): DicomRejection {
  return new DicomRejection(RejectionReason.INVALID_DICOM, 'DICOM sequences are nested too deeply');
}
