/* eslint-disable no-bitwise -- byte planes, bit fields and fixed-point arithmetic are bitwise by nature */
import { FrameGeometry } from './frame';
import { CodecRejection, corruptFrame } from './rejection';
import { RejectionReason } from '../../shared/events';
/**
 * Reads a JPEG 2000 / HTJ2K codestream's main header (ISO 15444-1 A.5.1 SIZ)
 * and tile-part headers (A.4.2 SOT) without decoding, so the codec is never
 * handed a frame bigger than the DICOM header declared, a tile grid it would
 * spend gigabytes on, or a header that claims far more image than the data
 * holds. JP2/JPH files (a codestream in a box structure, ISO 15444-1 Annex I)
 * are unwrapped to their codestream first.
 */
export interface J2kSize {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  /** Bit depth of component 0. */
  readonly precision: number;
  /** Tiles of the tile grid (A.5.1: the grid over the image area). */
  readonly tiles: number;
}

/**
 * Most tiles a frame may have. Each tile costs the decoder tens of kilobytes
 * before any data (62,500 tiles took 1.6 GiB); real frames use one tile or a
 * few hundred (a 10000x10000 image in 512-pixel tiles has 400).
 */
export const MAX_J2K_TILES = 4096;

/**
 * The least data a codec's real frames carry, measured on its encoder: a
 * frame whose codestream is longer than `flatBytes` (what a flat frame of any
 * size takes) and holds fewer than `bytesPerMegasample` per million samples
 * is a header claiming far more image than the data was coded for.
 */
export interface J2kDataFloor {
  readonly bytesPerMegasample: number;
  /** Codestreams this short are exempt (flat frames). */
  readonly flatBytes: number;
}

const MIN_TILE_PART_BYTES = 14;
const SOC = 0xff4f;
const SIZ = 0xff51;
const SOT = 0xff90;
const EOC = 0xffd9;
/** JP2 signature box ('jP  ', ISO 15444-1 I.5.1) and contiguous codestream box. */
const JP2_SIGNATURE = 0x6a502020;
const JP2_CODESTREAM = 0x6a703263;
/** Top-level boxes read before giving up: a JP2 file has a handful. */
const MAX_BOXES = 64;

function uint16(bytes: Uint8Array, i: number): number {
  return bytes[i] * 256 + bytes[i + 1];
}

function uint32(bytes: Uint8Array, i: number): number {
  return ((bytes[i] * 256 + bytes[i + 1]) * 256 + bytes[i + 2]) * 256 + bytes[i + 3];
}

/**
 * The codestream of a JP2/JPH file (the contents of its first 'jp2c' box), the
 * bytes themselves when they already start with SOC, else undefined. Box
 * lengths are checked against the bytes before anything is sliced.
 */
export function j2kCodestream(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length >= 2 && uint16(bytes, 0) === SOC) return bytes;
  if (bytes.length < 12 || uint32(bytes, 0) !== 12 || uint32(bytes, 4) !== JP2_SIGNATURE) return undefined;
  let offset = 0;
  for (let box = 0; box < MAX_BOXES && offset + 8 <= bytes.length; box++) {
    let length = uint32(bytes, offset);
    const type = uint32(bytes, offset + 4);
    let headerLength = 8;
    if (length === 1) {
      // XLBox: a 64-bit length; anything beyond 2^53 is beyond the bytes anyway.
      if (offset + 16 > bytes.length) return undefined;
      length = uint32(bytes, offset + 8) * 2 ** 32 + uint32(bytes, offset + 12);
      headerLength = 16;
    } else if (length === 0) {
      length = bytes.length - offset; // the last box runs to the end
    }
    if (length < headerLength || offset + length > bytes.length) return undefined;
    if (type === JP2_CODESTREAM) return bytes.subarray(offset + headerLength, offset + length);
    offset += length;
  }
  return undefined;
}

/** The size, or undefined when the bytes do not start with SOC followed by SIZ. */
export function readJ2kSize(bytes: Uint8Array): J2kSize | undefined {
  // SOC, SIZ, Lsiz, Rsiz, then Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 bytes each), Csiz, Ssiz...
  if (bytes.length < 43 || uint16(bytes, 0) !== SOC || uint16(bytes, 2) !== SIZ) return undefined;
  const [xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz] = [8, 12, 16, 20, 24, 28, 32, 36].map((i) => uint32(bytes, i));
  const width = xsiz - xosiz;
  const height = ysiz - yosiz;
  const components = uint16(bytes, 40);
  if (width <= 0 || height <= 0 || xtsiz === 0 || ytsiz === 0 || xtosiz > xosiz || ytosiz > yosiz) return undefined;
  const tiles = Math.ceil((xsiz - xtosiz) / xtsiz) * Math.ceil((ysiz - ytosiz) / ytsiz);
  return { rows: height, columns: width, components, precision: (bytes[42] & 0x7f) + 1, tiles };
}

/**
 * Distinct tiles that have a tile-part, following the SOT chain from the end
 * of the main header (A.4.2: Psot is the tile-part's length, 0 only for the
 * last one). Undefined when the chain leaves the bytes or breaks.
 */
export function tilesPresent(bytes: Uint8Array, tiles: number): number | undefined {
  let offset = 4 + uint16(bytes, 4); // after SOC and SIZ
  // Main header markers up to the first SOT: each has a 2-byte length after the marker.
  while (offset + 4 <= bytes.length && uint16(bytes, offset) !== SOT) {
    if (bytes[offset] !== 0xff) return undefined;
    offset += 2 + uint16(bytes, offset + 2);
  }
  const seen = new Uint8Array(tiles);
  let present = 0;
  while (offset + 12 <= bytes.length && uint16(bytes, offset) === SOT) {
    const tile = uint16(bytes, offset + 4);
    const length = uint32(bytes, offset + 6);
    if (tile >= tiles) return undefined;
    if (seen[tile] === 0) {
      seen[tile] = 1;
      present++;
    }
    if (length === 0) return present; // runs to EOC
    if (length < MIN_TILE_PART_BYTES || offset + length > bytes.length) return undefined;
    offset += length;
  }
  const ended = offset + 2 <= bytes.length && uint16(bytes, offset) === EOC;
  // A missing EOC (cut after the last tile-part) is read by every decoder; a broken chain is not.
  return ended || offset === bytes.length ? present : undefined;
}

/**
 * Refuses, before the codec allocates for it, a codestream whose size
 * disagrees with the DICOM header, that lacks tiles its grid has or is far
 * below the codec's data floor, all CORRUPT_IMAGE, or whose tile grid is over
 * MAX_J2K_TILES (TOO_LARGE). Returns the codestream (unwrapped from a JP2 file).
 */
export function checkedJ2kCodestream(encoded: Uint8Array, geometry: FrameGeometry, codecName: string, floor: J2kDataFloor): Uint8Array {
  const codestream = j2kCodestream(encoded);
  const size = codestream && readJ2kSize(codestream);
  if (!codestream || !size || size.rows !== geometry.rows || size.columns !== geometry.columns || size.components !== geometry.samplesPerPixel
    || size.precision > geometry.bitsAllocated) {
    return corruptFrame(codecName);
  }
  // A tile-part takes at least 14 bytes (SOT and SOD): a grid with more tiles than that cannot all be present.
  if (size.tiles > codestream.length / MIN_TILE_PART_BYTES || tilesPresent(codestream, size.tiles) !== size.tiles) corruptFrame(codecName);
  if (size.tiles > MAX_J2K_TILES) throw new CodecRejection(RejectionReason.TOO_LARGE, `${codecName} frame has more tiles than allowed`);
  const samples = size.rows * size.columns * size.components;
  if (codestream.length > floor.flatBytes && codestream.length < (samples / 1e6) * floor.bytesPerMegasample) corruptFrame(codecName);
  return codestream;
}
