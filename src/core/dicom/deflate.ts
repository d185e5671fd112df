/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): everything after the File
 * Meta Information is a raw deflate stream. Inflation is bounded so that a
 * small file cannot expand without limit (a zip bomb).
 */
import * as zlib from 'node:zlib';
import { DicomRejection } from './errors';
import { RejectionReason } from '../../shared/events';

/**
 * An inflater for dicom-parser's `inflater` option: the meta group as is,
 * followed by the inflated data set, never more than `maxBytes` of it.
 */
export function boundedInflater(maxBytes: number): (bytes: Uint8Array, position: number) => Uint8Array {
  return (bytes, position) => {
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(bytes.subarray(position), { maxOutputLength: Math.max(1, maxBytes) });
    } catch (e) {
      // By code, not instanceof: Node's internal errors may come from another realm (jest, vm).
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new DicomRejection(RejectionReason.TOO_LARGE, 'Deflated DICOM data set exceeds the size limit');
      throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'Deflated DICOM data set could not be inflated');
    }
    const full = new Uint8Array(position + inflated.length);
    full.set(bytes.subarray(0, position));
    full.set(inflated, position);
    return full;
  };
}
