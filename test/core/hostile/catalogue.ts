/**
 * The hostile-input catalogue (issue 13, items 9-12): each case a generator,
 * the typed outcome it must end in, and the time and memory it may take in a
 * process whose heap limit is the ingest function's memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseRequest } from './case-child';
import {
  codestream, deeplyNestedDicom, encapsulatedDicom, framesDicom, interlacedPngBomb, jp2File, largeDeflatedDicom, largeRgb16Png,
  manyTilesCodestream, patchedSiz,
} from './generators';

/** The ingest function's memory (imaging-ingest.ts), also the children's heap limit. */
export const INGEST_MEMORY_MB = 2048;

export interface HostileCase {
  readonly name: string;
  /** Issue 13 item. */
  readonly item: number;
  readonly generate: () => Uint8Array;
  /** 'PREPARED', the rejection reason code, or 'TYPED' (prepared or any typed rejection, the fuzz property). */
  readonly expected: string;
  readonly maxMs: number;
  readonly maxRssMb: number;
  readonly options?: CaseRequest['options'];
}

/** Options of every case: the Lambda's budget (memory from its setting), a preview kept small. */
const LAMBDA: CaseRequest['options'] = { memoryLimitMb: INGEST_MEMORY_MB, analysisMaxDimension: 256 };
/** A Node.js process with the bundle loaded and a small object prepared stays under this. */
const SMALL_RSS_MB = 300;

/** Shared generators: the runner generates each input once. */
const DEFLATED_3 = (): Uint8Array => largeDeflatedDicom(10000, 10000, 3);
const DEFLATED_5 = (): Uint8Array => largeDeflatedDicom(10000, 10000, 5);
const j2kDicom = (kind: 'jpeg2000' | 'htj2k', frame: Uint8Array, size: number) => () => encapsulatedDicom(kind, frame, size, size);

export const CASES: readonly HostileCase[] = [
  // Item 9: every decoder bounded before it allocates.
  { name: 'PNG 1x1 interlaced, IDAT inflating to 1 GiB', item: 9, generate: () => interlacedPngBomb(2 ** 30), expected: 'CORRUPT_IMAGE', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  {
    name: 'PNG 9800x9800 16-bit RGB (768 MB decoded)', item: 9, generate: () => largeRgb16Png(9800, 9800), expected: 'TOO_LARGE', maxMs: 3000, maxRssMb: SMALL_RSS_MB,
  },
  { name: 'J2K 250x250 in 62,500 tiles', item: 9, generate: j2kDicom('jpeg2000', manyTilesCodestream(250), 250), expected: 'TOO_LARGE', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  // Item 10: one copy of the data set. 3 frames (600 MB) fit the 2048 MB budget; 5 (1 GB) do not (item 11).
  { name: 'deflated 10000x10000x3 16-bit (22 MB file, 600 MB inflated)', item: 10, generate: DEFLATED_3, expected: 'PREPARED', maxMs: 45_000, maxRssMb: 1200 },
  // Item 11: the memory budget (a third of 2048 MB) and the time budget.
  { name: 'deflated 10000x10000x5 16-bit (36 MB file, 1 GB inflated), 2048 MB budget', item: 11, generate: DEFLATED_5, expected: 'TOO_LARGE', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  {
    name: 'deflated 10000x10000x5 16-bit, no memory budget (1 GiB limit)',
    item: 10,
    generate: DEFLATED_5,
    options: { analysisMaxDimension: 256 },
    expected: 'PREPARED',
    maxMs: 60_000,
    // One copy of the 1 GB data set and one frame's work; a second copy would be 2 GB or more (before: 3.9-4.9 GB).
    maxRssMb: 1700,
  },
  {
    name: 'deflated 10000x10000x3 16-bit, 1 s time budget',
    item: 11,
    generate: DEFLATED_3,
    options: { ...LAMBDA, timeBudgetMs: 1000 },
    expected: 'TOO_LARGE',
    maxMs: 20_000,
    maxRssMb: 1000,
  },
  // Item 12: headers claiming more than the data holds; nesting; frame counts.
  {
    name: 'J2K 64x64 with SIZ patched to 10000x10000',
    item: 12,
    generate: j2kDicom('jpeg2000', patchedSiz(codestream('jpeg2000', 64), 10000, false), 10000),
    expected: 'CORRUPT_IMAGE',
    maxMs: 3000,
    maxRssMb: SMALL_RSS_MB,
  },
  {
    name: 'HTJ2K 64x64 with SIZ patched to 10000x10000',
    item: 12,
    generate: j2kDicom('htj2k', patchedSiz(codestream('htj2k', 64), 10000, false), 10000),
    expected: 'CORRUPT_IMAGE',
    maxMs: 3000,
    maxRssMb: SMALL_RSS_MB,
  },
  {
    name: 'J2K 64x64 with SIZ and tile size patched to 10000x10000',
    item: 12,
    generate: j2kDicom('jpeg2000', patchedSiz(codestream('jpeg2000', 64), 10000, true), 10000),
    expected: 'CORRUPT_IMAGE',
    maxMs: 20_000,
    maxRssMb: 1000,
  },
  {
    name: 'HTJ2K 64x64 with SIZ and tile size patched to 10000x10000',
    item: 12,
    generate: j2kDicom('htj2k', patchedSiz(codestream('htj2k', 64), 10000, true), 10000),
    expected: 'CORRUPT_IMAGE',
    maxMs: 3000,
    maxRssMb: SMALL_RSS_MB,
  },
  {
    name: 'JP2 file whose codestream box runs past the end',
    item: 2,
    generate: j2kDicom('jpeg2000', jp2File(codestream('jpeg2000', 64), 64, 64, 2 ** 31), 64),
    expected: 'CORRUPT_IMAGE',
    maxMs: 3000,
    maxRssMb: SMALL_RSS_MB,
  },
  { name: 'JP2 file (boxes around a 64x64 codestream)', item: 2, generate: j2kDicom('jpeg2000', jp2File(codestream('jpeg2000', 64), 64, 64), 64), expected: 'PREPARED', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  { name: 'sequences nested 40 deep', item: 12, generate: () => deeplyNestedDicom(40), expected: 'INVALID_DICOM', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  { name: 'sequences nested 100,000 deep', item: 12, generate: () => deeplyNestedDicom(100_000), expected: 'INVALID_DICOM', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  { name: 'NumberOfFrames 0', item: 12, generate: () => framesDicom('0'), expected: 'INVALID_DICOM', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  { name: 'NumberOfFrames -3', item: 12, generate: () => framesDicom('-3'), expected: 'INVALID_DICOM', maxMs: 3000, maxRssMb: SMALL_RSS_MB },
  ...fuzzCorpusCases(),
];

/** The fuzz test's saved failures (test/fuzz/corpus): each must now be prepared or end in a typed rejection, within the small bounds. */
function fuzzCorpusCases(): HostileCase[] {
  const dir = path.join(__dirname, '..', '..', 'fuzz', 'corpus');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.hex')).sort().map((file) => ({
    name: `fuzz corpus ${file}`,
    item: 9,
    generate: () => Buffer.from(fs.readFileSync(path.join(dir, file), 'utf8').trim(), 'hex'),
    expected: 'TYPED',
    maxMs: 3000,
    maxRssMb: SMALL_RSS_MB,
  }));
}

export function optionsOf(c: HostileCase): CaseRequest['options'] {
  return c.options ?? LAMBDA;
}
