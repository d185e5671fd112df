/**
 * Issue 13 item 10: a deflated data set is inflated once (into one buffer of
 * its exact size) and read from there by the parser and the
 * de-identification; the de-identified object is written deflated again,
 * without a second copy of the data set, and dcmtk reads it.
 */
import * as zlib from 'node:zlib';
import { Tags } from '../../../src/core/deid/dataset';
import { deidentifyPart10 } from '../../../src/core/deid/deidentify';
import { readPart10 } from '../../../src/core/deid/read-dataset';
import { resolveDeidentificationSettings } from '../../../src/core/deid/settings';
import { boundedInflater, deflateParts, inflateOnce } from '../../../src/core/dicom/deflate';
import { parseDicom } from '../../../src/core/dicom/parse';
import { prepareObject } from '../../../src/core/preparation';
import { InputRejection } from '../../../src/shared/rejection';
import { makeDicom, phiValues } from '../../fixtures/images';
import { reasonOfAsync } from '../../support/rejections';
import { dcmdump } from '../deid/dcmdump';

const KEY = new Uint8Array(32).fill(3);
const options = { rows: 64, columns: 48, numberOfFrames: 3, bitsAllocated: 16 as const, bitsStored: 12, transferSyntax: 'deflated' };
/** Offset of the deflated data set: after preamble, DICM and the meta group (its length is the first element). */
const metaEnd = (file: Buffer): number => 132 + 12 + file.readUInt32LE(140);

describe('inflate once', () => {
  test('after inflateOnce every reader of the same bytes gets the one inflated buffer, of exactly the data set size', async () => {
    const file = makeDicom(options);
    const position = metaEnd(file);
    const inflatedSize = zlib.inflateRawSync(file.subarray(position)).length;
    await inflateOnce(file, 2 ** 30);
    const first = boundedInflater(2 ** 30)(file, position);
    expect(first.length).toBe(position + inflatedSize);
    expect(first.byteLength).toBe(first.buffer.byteLength); // not a view into a larger allocation
    expect(boundedInflater(2 ** 30)(file, position)).toBe(first);
    expect(Buffer.compare(Buffer.from(first.subarray(0, position)), file.subarray(0, position))).toBe(0);
    // The parser and the de-identification read it as before.
    expect(parseDicom(file).frame1).toHaveLength(64 * 48);
    expect(readPart10(file).dataset.find((e) => e.tag === Tags.PIXEL_DATA)?.value).toHaveLength(64 * 48 * 2 * 3);
    // A tighter bound than the cached buffer inflates (and refuses) again.
    expect(() => boundedInflater(1000)(file, position)).toThrow(InputRejection);
  });

  test('inflateOnce bounds the stream: TOO_LARGE past the limit, TRUNCATED_DICOM for a broken stream; other syntaxes are left alone', async () => {
    const file = makeDicom(options);
    expect(await reasonOfAsync(() => inflateOnce(Buffer.from(file), 64 * 48 * 2 * 3 - 1))).toBe('TOO_LARGE');
    const broken = Buffer.concat([file.subarray(0, metaEnd(file)), Buffer.alloc(64, 0xff)]);
    expect(await reasonOfAsync(() => inflateOnce(broken, 2 ** 30))).toBe('TRUNCATED_DICOM');
    const explicit = makeDicom({ ...options, transferSyntax: 'explicit' });
    await inflateOnce(explicit, 1);
    expect(parseDicom(explicit).frame1).toHaveLength(64 * 48);
  });

  test('deflateParts makes one valid raw deflate stream of its parts, large parts read in place', () => {
    const large = new Uint8Array(3 * 2 ** 20).map((_, i) => (i * 31) % 251);
    const parts = [Uint8Array.of(1, 2, 3), large, new Uint8Array(0), Buffer.from('tail')];
    const inflated = zlib.inflateRawSync(Buffer.concat(deflateParts(parts)));
    expect(Buffer.compare(inflated, Buffer.concat(parts))).toBe(0);
  });
});

describe('written deflated again', () => {
  test('the de-identified object keeps the deflated syntax, its pixels, and no PHI; dcmdump reads it without a problem', () => {
    const file = makeDicom(options);
    const { part10, transferSyntaxUid } = deidentifyPart10(file, KEY, resolveDeidentificationSettings());
    expect(transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    const pixels = (bytes: Uint8Array) => readPart10(bytes).dataset.find((e) => e.tag === Tags.PIXEL_DATA)?.value;
    expect(Buffer.compare(Buffer.from(pixels(part10)!), Buffer.from(pixels(file)!))).toBe(0);
    const inflated = zlib.inflateRawSync(part10.subarray(metaEnd(part10))).toString('latin1');
    for (const value of phiValues()) expect(inflated).not.toContain(value);
    const dump = dcmdump(part10);
    expect(dump.status).toBe(0);
    expect(dump.problems).toEqual([]);
    expect(dump.output).toContain('Deflated Explicit VR Little Endian');
    expect(dump.output).toContain('(0012,0062) CS [YES]');
  });

  test('prepareObject on a deflated object: previews as before, the DICOM written deflated', async () => {
    const file = makeDicom(options);
    const prepared = await prepareObject(file, { pseudonymKey: KEY });
    expect([prepared.width, prepared.height, prepared.safeMetadata.transferSyntax]).toEqual([48, 64, '1.2.840.10008.1.2.1.99']);
    expect(readPart10(prepared.deidentifiedDicom!).transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
  });
});
