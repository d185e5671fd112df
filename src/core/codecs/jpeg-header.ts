/**
 * Reads the start-of-frame header of a JPEG-family codestream (ISO 10918-1
 * and JPEG-LS, ISO 14495-1) without decoding, so a codec is never handed a
 * frame bigger than the DICOM header declared.
 */
export interface JpegFrameHeader {
  /** SOF marker's second byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, 0xF7 JPEG-LS, ... */
  readonly marker: number;
  /** Sample precision in bits. */
  readonly precision: number;
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
}

/** Markers in 0xC0..0xCF that are not a start of frame (DHT, JPG, DAC). */
const NOT_FRAME = new Set([0xc4, 0xc8, 0xcc]);
const JPEG_LS_FRAME = 0xf7;

/** The frame header, or undefined when the bytes hold none before the first scan. */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) { i += 1; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    const isFrame = (marker >= 0xc0 && marker <= 0xcf && !NOT_FRAME.has(marker)) || marker === JPEG_LS_FRAME;
    if (isFrame) {
      if (i + 10 > bytes.length) return undefined;
      return {
        marker,
        precision: bytes[i + 4],
        rows: bytes[i + 5] * 256 + bytes[i + 6],
        columns: bytes[i + 7] * 256 + bytes[i + 8],
        components: bytes[i + 9],
      };
    }
    i += 2 + bytes[i + 2] * 256 + bytes[i + 3];
  }
  return undefined;
}

/**
 * Most scans a JPEG may hold. Each scan is a full pass over the image (a
 * progressive file with thousands of tiny scans keeps jpeg-js and libjpeg-turbo
 * busy for minutes), so the count is bounded before decoding. A sequential
 * JPEG has one scan per component at most (4); libjpeg's default progressive
 * script has 10 for colour, and optimizing encoders (mozjpeg) stay under 20.
 * 256 is over ten times what encoders write (libjpeg-turbo's own fuzzers use 500).
 */
export const MAX_JPEG_SCANS = 256;

/**
 * Calls `visit` with each marker segment of `bytes` (marker byte, start of the
 * segment's payload after its length, end of the segment), in order, until it
 * returns false or EOI. One pass: segments are skipped by their length,
 * entropy-coded data after a scan header by looking for a 0xFF that is neither
 * stuffing (0xFF00) nor a restart marker. Stops quietly at damage: the decoder
 * reports it.
 */
export function forEachJpegSegment(bytes: Uint8Array, visit: (marker: number, start: number, end: number) => boolean): void {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return;
    const marker = bytes[i + 1];
    if (marker === 0xff) { i += 1; continue; }
    if (marker === 0xd9) return;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const end = i + 2 + bytes[i + 2] * 256 + bytes[i + 3];
    if (!visit(marker, i + 4, Math.min(end, bytes.length))) return;
    i = end;
    if (marker !== 0xda) continue;
    while (i + 1 < bytes.length && !(bytes[i] === 0xff && bytes[i + 1] !== 0 && (bytes[i + 1] < 0xd0 || bytes[i + 1] > 0xd7))) i++;
  }
}

/** Start-of-scan markers in `bytes`, counting no further than `stopAfter + 1` (enough to tell the limit is exceeded). */
export function countJpegScans(bytes: Uint8Array, stopAfter: number = MAX_JPEG_SCANS): number {
  let scans = 0;
  forEachJpegSegment(bytes, (marker) => {
    if (marker === 0xda) scans++;
    return scans <= stopAfter;
  });
  return scans;
}

/** True when `bytes` holds more scans than `MAX_JPEG_SCANS`. */
export function hasTooManyJpegScans(bytes: Uint8Array): boolean {
  return countJpegScans(bytes, MAX_JPEG_SCANS) > MAX_JPEG_SCANS;
}
