/* eslint-disable no-bitwise -- Huffman codes and bit fields are bitwise by nature */
/**
 * Huffman tables and the entropy-coded bit reader for sequential DCT JPEG
 * (ITU T.81 Annex C and F.2.2). Every read is bounded by the input: a marker
 * or the end of data where a bit is needed makes `next` return -1.
 */

/** Decoding tables of F.2.2.3 (MINCODE, MAXCODE, VALPTR per code length 1..16). */
export interface HuffmanTable {
  readonly minCode: Int32Array;
  readonly maxCode: Int32Array;
  readonly valPtr: Int32Array;
  readonly values: Uint8Array;
}

/**
 * Builds a table from BITS (16 counts) and HUFFVAL (C.2, F.2.2.3). Undefined
 * when the counts need more codes than a length has (an invalid table).
 */
export function buildHuffmanTable(bits: Uint8Array, values: Uint8Array): HuffmanTable | undefined {
  const minCode = new Int32Array(17);
  const maxCode = new Int32Array(17).fill(-1);
  const valPtr = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const count = bits[l - 1];
    valPtr[l] = k;
    minCode[l] = code;
    code += count;
    k += count;
    if (code > 2 ** l) return undefined;
    if (count > 0) maxCode[l] = code - 1;
    code *= 2;
  }
  if (k !== values.length) return undefined;
  return { minCode, maxCode, valPtr, values };
}

/** Reads the entropy-coded segment of one scan, unstuffing 0xFF00. */
export class ScanBitReader {
  private bits = 0;
  private count = 0;

  constructor(private readonly data: Uint8Array, private position: number) {}

  /** The next bit, or -1 at a marker or the end of data. */
  bit(): number {
    if (this.count === 0) {
      const data = this.data;
      if (this.position >= data.length) return -1;
      const byte = data[this.position];
      if (byte === 0xff) {
        if (this.position + 1 >= data.length || data[this.position + 1] !== 0x00) return -1;
        this.position += 2;
      } else {
        this.position += 1;
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count -= 1;
    return (this.bits >> this.count) & 1;
  }

  /** RECEIVE(s) of F.2.2.4: s bits, most significant first; -1 when the data runs out. */
  receive(s: number): number {
    let value = 0;
    for (let i = 0; i < s; i++) {
      const b = this.bit();
      if (b < 0) return -1;
      value = value * 2 + b;
    }
    return value;
  }

  /** DECODE of F.2.2.3: the next symbol, or -1 for a code no table entry has or a lack of data. */
  decode(table: HuffmanTable): number {
    let code = this.bit();
    if (code < 0) return -1;
    for (let l = 1; l <= 16; l++) {
      if (code <= table.maxCode[l]) return table.values[table.valPtr[l] + code - table.minCode[l]];
      const b = this.bit();
      if (b < 0) return -1;
      code = code * 2 + b;
    }
    return -1;
  }

  /**
   * At a restart interval's end: drops the byte's remaining bits and reads
   * RSTn (after any fill bytes). False when that marker is not next.
   */
  restart(expected: number): boolean {
    this.count = 0;
    const data = this.data;
    let i = this.position;
    while (i + 1 < data.length && data[i] === 0xff && data[i + 1] === 0xff) i += 1;
    if (i + 1 >= data.length || data[i] !== 0xff || data[i + 1] !== 0xd0 + expected) return false;
    this.position = i + 2;
    return true;
  }
}

/** EXTEND of F.2.2.1: the signed value of an s-bit magnitude category. */
export function extend(v: number, s: number): number {
  return s > 0 && v < 2 ** (s - 1) ? v - 2 ** s + 1 : v;
}
