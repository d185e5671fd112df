/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): everything after the File
 * Meta Information is a raw deflate stream. Inflation is bounded so that a
 * small file cannot expand without limit (a zip bomb), and happens once per
 * object: `inflateOnce` inflates into one buffer of the exact size, and every
 * later reader of the same bytes (the parser, the de-identification) gets
 * that buffer instead of inflating again.
 */
import * as zlib from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { DicomRejection } from './errors';
import { TransferSyntax } from './transfer-syntax';
import { RejectionReason } from '../../shared/events';

/** Input bytes -> meta group followed by the inflated data set (held only while the input is). */
const inflatedBy = new WeakMap<Uint8Array, Uint8Array>();

/** Output chunk of the streaming inflater: bounds the memory beside the result. */
const STREAM_CHUNK_BYTES = 2 ** 20;

function tooLarge(): never {
  throw new DicomRejection(RejectionReason.TOO_LARGE, 'Deflated DICOM data set exceeds the size limit');
}

function cannotInflate(): never {
  throw new DicomRejection(RejectionReason.TRUNCATED_DICOM, 'Deflated DICOM data set could not be inflated');
}

/**
 * An inflater for dicom-parser's `inflater` option: the meta group as is,
 * followed by the inflated data set, never more than `maxBytes` of it. Bytes
 * `inflateOnce` has inflated are not inflated again.
 */
export function boundedInflater(maxBytes: number): (bytes: Uint8Array, position: number) => Uint8Array {
  return (bytes, position) => {
    const done = inflatedBy.get(bytes);
    if (done !== undefined && done.length - position <= maxBytes) return done;
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(bytes.subarray(position), { maxOutputLength: Math.max(1, maxBytes) });
    } catch (e) {
      // By code, not instanceof: Node's internal errors may come from another realm (jest, vm).
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') tooLarge();
      return cannotInflate();
    }
    const full = new Uint8Array(position + inflated.length);
    full.set(bytes.subarray(0, position));
    full.set(inflated, position);
    return full;
  };
}

/** Where the deflated data set starts, or undefined when `bytes` is not a readable deflated Part 10 object. */
function deflatedDataSetOffset(bytes: Uint8Array): number | undefined {
  try {
    const meta = dicomParser.readPart10Header(bytes) as dicomParser.DataSet & { position?: number };
    if (meta.string('x00020010') !== TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) return undefined;
    return typeof meta.position === 'number' && meta.position <= bytes.length ? meta.position : undefined;
  } catch {
    return undefined; // the parser reports what is wrong with the meta group
  }
}

/** Streams the deflate stream through `sink` chunk by chunk; rejects past `maxBytes` or on a broken stream. */
function streamInflate(deflated: Uint8Array, maxBytes: number, sink: (chunk: Buffer, offset: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflater = zlib.createInflateRaw({ chunkSize: STREAM_CHUNK_BYTES });
    let total = 0;
    let failed = false;
    const fail = (f: () => never): void => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      try {
        f();
      } catch (e) {
        reject(e);
      }
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (total + chunk.length > maxBytes) return fail(tooLarge);
      sink(chunk, total);
      total += chunk.length;
    });
    inflater.on('error', () => fail(cannotInflate));
    inflater.on('end', () => { if (!failed) resolve(total); });
    inflater.end(deflated);
  });
}

/**
 * Inflates a deflated Part 10 object's data set once, into one buffer of its
 * exact size (a first pass counts, keeping nothing; the second fills the
 * buffer), so the peak is the inflated size, not twice it. Later
 * `boundedInflater` calls on the same `bytes` return that buffer. Does
 * nothing for other transfer syntaxes. Rejects TOO_LARGE above `maxBytes`,
 * TRUNCATED_DICOM for a broken stream.
 */
export async function inflateOnce(bytes: Uint8Array, maxBytes: number): Promise<void> {
  if (inflatedBy.has(bytes)) return;
  const position = deflatedDataSetOffset(bytes);
  if (position === undefined) return;
  const deflated = bytes.subarray(position);
  const size = await streamInflate(deflated, maxBytes, () => {});
  const full = new Uint8Array(position + size);
  full.set(bytes.subarray(0, position));
  await streamInflate(deflated, size, (chunk, offset) => full.set(chunk, position + offset));
  inflatedBy.set(bytes, full);
}

/** Compression of a written deflated data set: speed first, since the output is stored, not sent. */
const WRITE_LEVEL = zlib.constants.Z_BEST_SPEED;
/** Small parts are deflated together: each deflate call restarts the compressor and ends with a flush. */
const GROUP_BYTES = 2 ** 20;

/**
 * Raw-deflates `parts` as one stream without joining them: each group is
 * deflated on its own and ended with a sync flush (no final block), which
 * makes the concatenation a valid stream once an empty final block closes it.
 * Large values (pixel data) are read in place, never copied.
 */
export function deflateParts(parts: readonly Uint8Array[]): Buffer[] {
  const out: Buffer[] = [];
  let group: Uint8Array[] = [];
  let groupLength = 0;
  const flushOptions = { level: WRITE_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const flushGroup = (): void => {
    if (groupLength === 0) return;
    out.push(zlib.deflateRawSync(group.length === 1 ? group[0] : Buffer.concat(group, groupLength), flushOptions));
    group = [];
    groupLength = 0;
  };
  for (const part of parts) {
    if (part.length >= GROUP_BYTES) {
      flushGroup();
      out.push(zlib.deflateRawSync(part, flushOptions));
      continue;
    }
    group.push(part);
    groupLength += part.length;
    if (groupLength >= GROUP_BYTES) flushGroup();
  }
  flushGroup();
  out.push(zlib.deflateRawSync(new Uint8Array(0), { level: WRITE_LEVEL }));
  return out;
}
