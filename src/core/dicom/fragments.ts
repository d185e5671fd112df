/**
 * Finding the bytes of one frame in encapsulated Pixel Data (PS3.5 A.4):
 * through the Basic Offset Table when it has one entry per frame, else one fragment per
 * frame, else by the codestream start markers that begin each frame.
 */
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { RejectionReason } from '../../shared/events';

function invalid(message: string): never {
  throw new DicomRejection(RejectionReason.INVALID_DICOM, message);
}

/** True when a fragment starts a JPEG-family (SOI) or JPEG 2000 (SOC) codestream. */
function startsCodestream(bytes: Uint8Array, position: number): boolean {
  return bytes[position] === 0xff && (bytes[position + 1] === 0xd8 || bytes[position + 1] === 0x4f);
}

function join(bytes: Uint8Array, fragments: readonly dicomParser.Fragment[]): Uint8Array {
  if (fragments.length === 1) return bytes.subarray(fragments[0].position, fragments[0].position + fragments[0].length);
  const total = fragments.reduce((sum, f) => sum + f.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const f of fragments) {
    out.set(bytes.subarray(f.position, f.position + f.length), o);
    o += f.length;
  }
  return out;
}

/** Fragment index ranges [start, end) of every frame. */
function frameRanges(bytes: Uint8Array, element: dicomParser.Element, numberOfFrames: number): Array<[number, number]> {
  const fragments = element.fragments ?? [];
  if (numberOfFrames === 1) return [[0, fragments.length]];
  const table = element.basicOffsetTable ?? [];
  // A table with another count than NumberOfFrames is not trusted: frames are found by scanning, as if it were empty.
  if (table.length === numberOfFrames) {
    const startOf = new Map(fragments.map((f, i) => [f.offset, i]));
    const starts = table.map((offset) => startOf.get(offset));
    if (starts.some((s, i) => s === undefined || (i > 0 && s <= (starts[i - 1] ?? -1)))) {
      invalid('DICOM Basic Offset Table does not point at fragments in order');
    }
    return starts.map((s, i) => [s as number, i + 1 < starts.length ? (starts[i + 1] as number) : fragments.length]);
  }
  if (fragments.length === numberOfFrames) return fragments.map((_, i) => [i, i + 1]);
  const starts: number[] = [];
  fragments.forEach((f, i) => { if (startsCodestream(bytes, f.position)) starts.push(i); });
  if (starts.length !== numberOfFrames || starts[0] !== 0) invalid('DICOM encapsulated frames cannot be told apart');
  return starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1] : fragments.length]);
}

/** The encoded bytes of frame `index` (zero-copy when it is one fragment). */
export function encapsulatedFrame(dataSet: dicomParser.DataSet, element: dicomParser.Element, index: number, numberOfFrames: number): Uint8Array {
  const fragments = element.fragments ?? [];
  const bytes = dataSet.byteArray;
  for (const f of fragments) {
    if (f.position + f.length > bytes.length) throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'DICOM Pixel Data fragment is cut off');
  }
  const [start, end] = frameRanges(bytes, element, numberOfFrames)[index];
  if (end <= start) invalid('DICOM encapsulated frame has no fragments');
  return join(bytes, fragments.slice(start, end));
}
