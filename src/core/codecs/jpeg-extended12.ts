/* eslint-disable no-bitwise -- marker fields and table selectors are bitwise by nature */
/**
 * JPEG extended sequential DCT with 12-bit samples (process 4, SOF1 with
 * P = 12, Huffman coded), written from ITU T.81: marker segments (B.2),
 * Huffman decoding (F.2.2), dequantization (F.2.1.4 inverted), the inverse
 * DCT of A.3.3 as a separable float transform, and the level shift by 2^11.
 * Restart intervals (DRI/RSTn) are honoured.
 *
 * Only single-component (MONOCHROME) frames: multi-component 12-bit frames
 * are refused as UNSUPPORTED_TRANSFER_SYNTAX. 8-bit frames of the same
 * transfer syntax go to libjpeg-turbo (`decodeJpegBaseline`).
 */
import { FrameGeometry, FrameSamples } from './frame';
import { decodeJpegBaseline } from './jpeg-baseline';
import { readJpegFrameHeader } from './jpeg-header';
import { buildHuffmanTable, extend, HuffmanTable, ScanBitReader } from './jpeg-huffman';
import { CodecRejection, corruptFrame } from './rejection';
import { RejectionReason } from '../../shared/events';

const CODEC = 'JPEG extended';
const SOF1 = 0xc1;
const PRECISION = 12;
const MAX_SAMPLE = (1 << PRECISION) - 1;
const LEVEL_SHIFT = 1 << (PRECISION - 1);

/** Zig-zag index k -> natural (row-major) index in the 8x8 block (Figure A.6). */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
  58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** COSINES[x * 8 + u] = C(u)/2 * cos((2x + 1) u pi / 16): the 1-D factor of A.3.3 (1/4 = 1/2 * 1/2). */
const COSINES = (() => {
  const table = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++) {
      table[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
  }
  return table;
})();

/** 12-bit frames go to this decoder, anything else of .51 to libjpeg-turbo. */
export function decodeJpegExtended(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  return readJpegFrameHeader(encoded)?.precision === PRECISION
    ? decodeJpegExtended12(encoded, geometry)
    : decodeJpegBaseline(encoded, geometry);
}

interface Tables {
  readonly quant: Array<Int32Array | undefined>;
  readonly dc: Array<HuffmanTable | undefined>;
  readonly ac: Array<HuffmanTable | undefined>;
  restartInterval: number;
  componentId: number;
  quantSelector: number;
}

/** DQT (B.2.4.1): 8- or 16-bit elements, zig-zag order. */
function readQuantTables(bytes: Uint8Array, start: number, end: number, tables: Tables): void {
  let i = start;
  while (i < end) {
    const pq = bytes[i] >> 4;
    const tq = bytes[i] & 15;
    const size = pq === 0 ? 64 : 128;
    if (pq > 1 || tq > 3 || i + 1 + size > end) corruptFrame(CODEC);
    const table = new Int32Array(64);
    for (let k = 0; k < 64; k++) table[k] = pq === 0 ? bytes[i + 1 + k] : bytes[i + 1 + 2 * k] * 256 + bytes[i + 2 + 2 * k];
    tables.quant[tq] = table;
    i += 1 + size;
  }
}

/** DHT (B.2.4.2). */
function readHuffmanTables(bytes: Uint8Array, start: number, end: number, tables: Tables): void {
  let i = start;
  while (i < end) {
    const tc = bytes[i] >> 4;
    const th = bytes[i] & 15;
    if (tc > 1 || th > 3 || i + 17 > end) corruptFrame(CODEC);
    const bits = bytes.subarray(i + 1, i + 17);
    let total = 0;
    for (let l = 0; l < 16; l++) total += bits[l];
    if (i + 17 + total > end) corruptFrame(CODEC);
    const table = buildHuffmanTable(bits, bytes.subarray(i + 17, i + 17 + total));
    if (!table) return corruptFrame(CODEC);
    (tc === 0 ? tables.dc : tables.ac)[th] = table;
    i += 17 + total;
  }
}

/** Inverse DCT of one dequantized block (natural order) into the frame, level shifted and clamped. */
function storeBlock(block: Float64Array, rows: Float64Array, out: Uint16Array, columns: number, height: number,
  x0: number, y0: number): void {
  // Horizontal pass: rows[v * 8 + x] = sum_u COSINES[x][u] * S(v, u). All-zero rows (most, after
  // quantization) contribute nothing to the vertical pass, so only the last non-zero row bounds it.
  let lastRow = -1;
  for (let v = 0; v < 8; v++) {
    let nonZero = false;
    for (let u = 0; u < 8; u++) if (block[v * 8 + u] !== 0) { nonZero = true; break; }
    if (!nonZero) { rows.fill(0, v * 8, v * 8 + 8); continue; }
    lastRow = v;
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let u = 0; u < 8; u++) sum += COSINES[x * 8 + u] * block[v * 8 + u];
      rows[v * 8 + x] = sum;
    }
  }
  // Vertical pass, written only inside the image (edge blocks are padded).
  const yEnd = Math.min(8, height - y0);
  const xEnd = Math.min(8, columns - x0);
  for (let y = 0; y < yEnd; y++) {
    const line = (y0 + y) * columns + x0;
    for (let x = 0; x < xEnd; x++) {
      let sum = 0;
      for (let v = 0; v <= lastRow; v++) sum += COSINES[y * 8 + v] * rows[v * 8 + x];
      const sample = Math.round(sum) + LEVEL_SHIFT;
      out[line + x] = sample < 0 ? 0 : sample > MAX_SAMPLE ? MAX_SAMPLE : sample;
    }
  }
}

/** Decodes the scan's entropy-coded data (one component, so one block per MCU). */
function decodeScan(bytes: Uint8Array, start: number, tables: Tables, dcTable: HuffmanTable, acTable: HuffmanTable,
  quant: Int32Array, geometry: FrameGeometry): Uint16Array {
  const { rows: height, columns } = geometry;
  const out = new Uint16Array(height * columns);
  const block = new Float64Array(64);
  const scratch = new Float64Array(64);
  const blocksPerLine = Math.ceil(columns / 8);
  const blocks = blocksPerLine * Math.ceil(height / 8);
  const reader = new ScanBitReader(bytes, start);
  const interval = tables.restartInterval;
  let predictor = 0;
  let restarts = 0;
  for (let n = 0; n < blocks; n++) {
    if (interval > 0 && n > 0 && n % interval === 0) {
      if (!reader.restart(restarts & 7)) return corruptFrame(CODEC);
      restarts += 1;
      predictor = 0;
    }
    block.fill(0);
    // DC (F.2.2.1): category, then the difference's bits.
    const t = reader.decode(dcTable);
    if (t < 0 || t > 15) return corruptFrame(CODEC);
    const bits = reader.receive(t);
    if (bits < 0) return corruptFrame(CODEC);
    predictor += extend(bits, t);
    block[0] = predictor * quant[0];
    // AC (F.2.2.2): run/size symbols up to EOB.
    for (let k = 1; k < 64;) {
      const rs = reader.decode(acTable);
      if (rs < 0) return corruptFrame(CODEC);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break; // EOB
        k += 16; // ZRL
        if (k > 64) return corruptFrame(CODEC);
        continue;
      }
      k += r;
      if (k > 63) return corruptFrame(CODEC);
      const v = reader.receive(s);
      if (v < 0) return corruptFrame(CODEC);
      block[ZIGZAG[k]] = extend(v, s) * quant[k];
      k += 1;
    }
    storeBlock(block, scratch, out, columns, height, (n % blocksPerLine) * 8, Math.floor(n / blocksPerLine) * 8);
  }
  return out;
}

/** Single-component 12-bit SOF1 frames; anything else is corrupt or unsupported. */
export function decodeJpegExtended12(encoded: Uint8Array, geometry: FrameGeometry): FrameSamples {
  const header = readJpegFrameHeader(encoded);
  if (!header || header.marker !== SOF1 || header.precision !== PRECISION || header.rows !== geometry.rows
    || header.columns !== geometry.columns || header.components !== geometry.samplesPerPixel || geometry.bitsAllocated !== 16) {
    return corruptFrame(CODEC);
  }
  if (header.components !== 1) {
    throw new CodecRejection(RejectionReason.UNSUPPORTED_TRANSFER_SYNTAX, '12-bit JPEG with more than one component is not supported');
  }
  const tables: Tables = { quant: [], dc: [], ac: [], restartInterval: 0, componentId: -1, quantSelector: -1 };
  let i = 2; // after SOI (checked by readJpegFrameHeader)
  while (i + 4 <= encoded.length) {
    if (encoded[i] !== 0xff) return corruptFrame(CODEC);
    const marker = encoded[i + 1];
    if (marker === 0xff) { i += 1; continue; } // fill byte
    if (marker === 0xd8 || marker === 0xd9 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) return corruptFrame(CODEC);
    const length = encoded[i + 2] * 256 + encoded[i + 3];
    const start = i + 4;
    const end = i + 2 + length;
    if (length < 2 || end > encoded.length) return corruptFrame(CODEC);
    if (marker === 0xdb) {
      readQuantTables(encoded, start, end, tables);
    } else if (marker === 0xc4) {
      readHuffmanTables(encoded, start, end, tables);
    } else if (marker === 0xdd) {
      if (length !== 4) return corruptFrame(CODEC);
      tables.restartInterval = encoded[start] * 256 + encoded[start + 1];
    } else if (marker === SOF1) {
      // B.2.2: P, Y, X, Nf = 1, then Ci, Hi/Vi, Tqi (P, Y, X, Nf were checked above).
      if (length !== 11 || encoded[start + 8] > 3) return corruptFrame(CODEC);
      tables.componentId = encoded[start + 6];
      tables.quantSelector = encoded[start + 8];
    } else if (marker === 0xda) {
      // B.2.3: Ns = 1, Cs, Td/Ta, Ss = 0, Se = 63, Ah/Al = 0.
      if (length !== 8 || tables.componentId < 0 || encoded[start] !== 1 || encoded[start + 1] !== tables.componentId
        || encoded[start + 3] !== 0 || encoded[start + 4] !== 63 || encoded[start + 5] !== 0) {
        return corruptFrame(CODEC);
      }
      const dc = tables.dc[encoded[start + 2] >> 4];
      const ac = tables.ac[encoded[start + 2] & 15];
      const quant = tables.quant[tables.quantSelector];
      if (!dc || !ac || !quant) return corruptFrame(CODEC);
      // One component: this scan is the whole frame.
      return decodeScan(encoded, end, tables, dc, ac, quant, geometry);
    } else if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xdc) {
      return corruptFrame(CODEC); // a second frame header, or DNL before the scan
    }
    // APPn, COM and other segments carry nothing the decoder needs.
    i = end;
  }
  return corruptFrame(CODEC);
}
