/**
 * A byte buffer reused from one call to the next, for intermediate images that
 * never outlive the call that fills them. A fresh allocation of an image's size
 * costs a page fault per 4 KiB on first touch, which on a large radiograph is
 * a sizeable part of the whole ingest; a warm container pays it once instead.
 * The buffer grows to the largest request and is kept (bounded by the pixel limits).
 */
export class ScratchBuffer {
  private buffer = new Uint8Array(0);

  /** A view of `length` bytes, valid until the next take(); the contents are whatever was left there. */
  take(length: number): Uint8Array {
    if (this.buffer.length < length) this.buffer = new Uint8Array(length);
    return this.buffer.subarray(0, length);
  }
}
