/**
 * Re-arranging test files into the non-conforming layouts real archives hold:
 * a bare data set (no preamble, no File Meta Information), or one file's meta
 * in front of another file's data set (the meta then declares the wrong
 * encoding).
 */

const META_START = 132; // after the 128-byte preamble and "DICM"

/** Offset of the data set in a Part 10 file the test writer made (it always writes (0002,0000) first). */
export function dataSetOffset(file: Uint8Array): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint16(META_START, true) !== 0x0002 || view.getUint16(META_START + 2, true) !== 0x0000) {
    throw new Error('expected (0002,0000) first in the meta');
  }
  // (0002,0000) UL: tag 4, VR 2, length 2, value 4 bytes; the value counts the rest of the meta group.
  return META_START + 12 + view.getUint32(META_START + 8, true);
}

/** The data set alone: what a modality that writes no Part 10 header stores. */
export function bareDataSet(file: Uint8Array): Uint8Array {
  return file.slice(dataSetOffset(file));
}

/** Preamble and meta of `metaFrom`, data set of `dataSetFrom`. */
export function withMetaOf(metaFrom: Uint8Array, dataSetFrom: Uint8Array): Uint8Array {
  return Buffer.concat([metaFrom.subarray(0, dataSetOffset(metaFrom)), bareDataSet(dataSetFrom)]);
}
