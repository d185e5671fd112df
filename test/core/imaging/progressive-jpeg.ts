/**
 * Progressive JPEGs for the scan-count bound: a real one from dcmtk's
 * dcmcjpeg (an independent encoder), and the same file with its last scan
 * repeated into thousands, still well formed marker by marker.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDicom } from '../../fixtures/images';

export const progressivePattern = (x: number, y: number): number => Math.round(128 + 100 * Math.sin(x / 6) * Math.cos(y / 9));

export interface ProgressiveJpeg {
  /** The DICOM file dcmcjpeg +ep wrote (retired 1.2.840.10008.1.2.4.55, which dcmj2pnm still reads). */
  readonly dicom: Buffer;
  /** Its single-fragment codestream (SOF2). */
  readonly codestream: Buffer;
}

/** A `size` x `size` 8-bit gray progressive JPEG of `progressivePattern`. */
export function progressiveJpeg(size: number): ProgressiveJpeg {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'progressive-jpeg-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.dcm'), makeDicom({ rows: size, columns: size, bitsAllocated: 8, pixelFn: progressivePattern }));
    execFileSync('dcmcjpeg', ['+ep', path.join(dir, 'in.dcm'), path.join(dir, 'out.dcm')], { stdio: 'pipe' });
    const dicom = fs.readFileSync(path.join(dir, 'out.dcm'));
    const codestream = dicom.subarray(dicom.indexOf(Buffer.from([0xff, 0xd8, 0xff])), dicom.lastIndexOf(Buffer.from([0xff, 0xd9])) + 2);
    return { dicom, codestream };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Offsets of every SOS marker, found the slow obvious way (no scan header of these files holds 0xFFDA). */
export function sosOffsets(jpeg: Buffer): number[] {
  const out: number[] = [];
  for (let i = jpeg.indexOf(Buffer.from([0xff, 0xda])); i >= 0; i = jpeg.indexOf(Buffer.from([0xff, 0xda]), i + 2)) out.push(i);
  return out;
}

/** `jpeg` with its last scan repeated until it has `scans` scans. */
export function withScans(jpeg: Buffer, scans: number): Buffer {
  const offsets = sosOffsets(jpeg);
  const last = jpeg.subarray(offsets[offsets.length - 1], jpeg.length - 2);
  const copies = Array.from({ length: scans - offsets.length }, () => last);
  return Buffer.concat([jpeg.subarray(0, jpeg.length - 2), ...copies, Buffer.from([0xff, 0xd9])]);
}
