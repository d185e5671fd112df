/**
 * Which colour transform a three-component DCT JPEG in DICOM needs, decided
 * as libjpeg decides it and then made to agree with the Photometric
 * Interpretation, and the codestream patched so that libjpeg-turbo (which
 * only guesses) does exactly that.
 *
 * libjpeg's guess (jdapimin.c): a JFIF marker means YCbCr; else an Adobe
 * APP14 marker's transform flag decides (0 = none); else component ids
 * 'R','G','B' mean no transform; anything else is taken as YCbCr. DICOM adds:
 * a file labelled RGB with neither JFIF nor Adobe marker was coded without a
 * transform (libjpeg would wrongly convert ids 1,2,3), and a file labelled
 * YBR_FULL/YBR_FULL_422 holds YCbCr whatever its markers say (as dcmtk's
 * default, converting when the photometric interpretation is YCbCr).
 */
import { forEachJpegSegment } from './jpeg-header';

interface ColourMarkers {
  jfif: boolean;
  /** Offset of the Adobe APP14 transform byte, when the marker is present. */
  adobeTransform?: number;
  /** Offsets of the component ids in the frame header. */
  frameIds: number[];
  /** Offsets of the component selectors in every scan header. */
  scanIds: number[];
}

const R = 0x52;
const G = 0x47;
const B = 0x42;

function readMarkers(bytes: Uint8Array): ColourMarkers {
  const found: ColourMarkers = { jfif: false, frameIds: [], scanIds: [] };
  forEachJpegSegment(bytes, (marker, start, end) => {
    const tag = String.fromCharCode(...bytes.subarray(start, Math.min(end, start + 5)));
    if (marker === 0xe0 && tag === 'JFIF\0') found.jfif = true;
    // "Adobe", version (2), flags0 (2), flags1 (2), transform (1).
    if (marker === 0xee && tag === 'Adobe' && start + 11 < end) found.adobeTransform = start + 11;
    if (marker >= 0xc0 && marker <= 0xc2) {
      for (let c = 0, o = start + 6; c < bytes[start + 5] && o < end; c++, o += 3) found.frameIds.push(o);
    }
    if (marker === 0xda) {
      for (let c = 0, o = start + 1; c < bytes[start] && o < end; c++, o += 2) found.scanIds.push(o);
    }
    return true;
  });
  return found;
}

/** Whether libjpeg will convert YCbCr to RGB for these markers. */
function libjpegConverts(bytes: Uint8Array, markers: ColourMarkers): boolean {
  if (markers.jfif) return true;
  if (markers.adobeTransform !== undefined) return bytes[markers.adobeTransform] !== 0;
  const ids = markers.frameIds.map((o) => bytes[o]);
  return !(ids[0] === R && ids[1] === G && ids[2] === B);
}

/** Whether the samples were coded as YCbCr, by the rules above. */
export function jpegCodedAsYcbcr(bytes: Uint8Array, photometric: string | undefined): boolean {
  if (photometric?.startsWith('YBR_')) return true;
  const markers = readMarkers(bytes);
  if (photometric === 'RGB' && !markers.jfif && markers.adobeTransform === undefined) return false;
  return libjpegConverts(bytes, markers);
}

/**
 * `bytes`, or a patched copy, such that libjpeg's guess is the right one for
 * `photometric`: an Adobe transform flag set, or component ids renumbered
 * (the frame header and every scan header, consistently).
 */
export function withColourTransformFor(bytes: Uint8Array, photometric: string | undefined): Uint8Array {
  const markers = readMarkers(bytes);
  if (markers.frameIds.length !== 3) return bytes;
  const wanted = jpegCodedAsYcbcr(bytes, photometric);
  if (libjpegConverts(bytes, markers) === wanted) return bytes;
  const out = Uint8Array.from(bytes);
  if (markers.adobeTransform !== undefined) {
    out[markers.adobeTransform] = wanted ? 1 : 0;
    return out;
  }
  // No JFIF and no Adobe marker here (a JFIF file always converts, which is never unwanted above).
  const oldIds = markers.frameIds.map((o) => bytes[o]);
  if (new Set(oldIds).size !== 3) return bytes; // ids that do not tell the components apart: nothing to renumber
  const newIds = wanted ? [1, 2, 3] : [R, G, B];
  for (const o of [...markers.frameIds, ...markers.scanIds]) {
    const index = oldIds.indexOf(bytes[o]);
    if (index >= 0) out[o] = newIds[index];
  }
  return out;
}
