/**
 * Fuzz inputs as readable recipes: a valid base file plus a list of
 * mutations, or a random buffer. fast-check generates and shrinks the recipe,
 * so a failure is reported as the smallest recipe that still fails.
 */
/* eslint-disable no-bitwise -- byte mutations are bit arithmetic: flips, masks, unsigned 32-bit words */
import * as zlib from 'node:zlib';
import * as fc from 'fast-check';
import { BaseInput } from './bases';
import { ElementLayout, layoutOf } from './dicom-layout';

export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'u32'; readonly at: number; readonly value: number; readonly bigEndian: boolean }
  /** DICOM: the length field of the n-th element (mod element count). */
  | { readonly op: 'length'; readonly element: number; readonly value: number }
  /** DICOM: the VR of the n-th explicit-VR element. */
  | { readonly op: 'vr'; readonly element: number; readonly vr: string }
  /** DICOM: the US value of a tag (Rows, Columns, BitsAllocated, ...). */
  | { readonly op: 'us'; readonly tag: number; readonly value: number }
  /** DICOM: a text value replaced, its length field rewritten to match. */
  | { readonly op: 'text'; readonly tag: number; readonly value: string }
  /** PNG: an IHDR field, CRC fixed or not. */
  | { readonly op: 'ihdr'; readonly field: 'width' | 'height' | 'bitDepth' | 'colorType' | 'interlace'; readonly value: number; readonly fixCrc: boolean }
  /** JPEG: a field of the first start-of-frame segment. */
  | { readonly op: 'sof'; readonly field: 'height' | 'width' | 'components' | 'precision' | 'marker'; readonly value: number };

export type FuzzRecipe =
  | { readonly source: 'base'; readonly base: number; readonly mutations: readonly Mutation[] }
  | { readonly source: 'random'; readonly magic: 'none' | 'dicm' | 'meta' | 'png' | 'jpeg'; readonly bytes: readonly number[] };

const Tags = {
  TRANSFER_SYNTAX: 0x00020010,
  MODALITY: 0x00080060,
  STUDY_UID: 0x0020000d,
  STUDY_INSTANCES: 0x00201208,
  SAMPLES_PER_PIXEL: 0x00280002,
  PHOTOMETRIC: 0x00280004,
  PLANAR: 0x00280006,
  FRAMES: 0x00280008,
  ROWS: 0x00280010,
  COLUMNS: 0x00280011,
  BITS_ALLOCATED: 0x00280100,
  BITS_STORED: 0x00280101,
  HIGH_BIT: 0x00280102,
  PIXEL_REPRESENTATION: 0x00280103,
  BURNED_IN: 0x00280301,
  WINDOW_CENTER: 0x00281050,
  WINDOW_WIDTH: 0x00281051,
  RESCALE_INTERCEPT: 0x00281052,
  RESCALE_SLOPE: 0x00281053,
} as const;

const US_TAGS = [Tags.ROWS, Tags.COLUMNS, Tags.BITS_ALLOCATED, Tags.BITS_STORED, Tags.HIGH_BIT,
  Tags.PIXEL_REPRESENTATION, Tags.SAMPLES_PER_PIXEL, Tags.PLANAR];
const US_VALUES = [0, 1, 2, 3, 7, 8, 12, 15, 16, 17, 32, 0x7fff, 0x8000, 0xfffe, 0xffff];
const TEXT_VALUES: Record<number, readonly string[]> = {
  [Tags.TRANSFER_SYNTAX]: ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.50',
    '1.2.840.10008.1.2.2', '1.2.840.10008.1.2', '', 'garbage', '1.2.840.10008.1.2\0\0\0\0', '9'.repeat(200)],
  [Tags.PHOTOMETRIC]: ['MONOCHROME1', 'RGB', 'PALETTE COLOR', 'YBR_FULL_422', '', 'mono2', 'MONOCHROME2\\RGB'],
  [Tags.WINDOW_CENTER]: ['NaN', '1e309', '-0', '0', '-5', 'abc', '40\\400', '', '-1e308'],
  [Tags.WINDOW_WIDTH]: ['NaN', 'Infinity', '0', '0.5', '1', '-400', '1e308', '', '5e-324'],
  [Tags.RESCALE_SLOPE]: ['0', '-1', '1e308', 'NaN', '1e-308', '', '3.5\\2'],
  [Tags.RESCALE_INTERCEPT]: ['-1e308', 'NaN', '1e308', '', 'x'],
  [Tags.FRAMES]: ['0', '-1', '999999999', '1e9', '2', 'abc', '4294967297'],
  [Tags.STUDY_INSTANCES]: ['0', '-3', '1e20', 'NaN', '2'],
  [Tags.MODALITY]: ['CT', 'DOE^JANE', '<script>', '', 'a'.repeat(64)],
  [Tags.STUDY_UID]: ['', '\0', '1.2', 'x'.repeat(300)],
  [Tags.BURNED_IN]: ['YES', 'no', ''],
};
const TEXT_TAGS = Object.keys(TEXT_VALUES).map(Number);
const BOGUS_VRS = ['ZZ', 'SQ', 'UN', 'OB', 'OW', 'UT', 'AE', 'US', '\0\0', '\xff\xff'];
const HEADER_U32 = [0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0, 1, 3];

/** Offsets are drawn large and reduced modulo the length, so they shrink towards 0. */
const offset = fc.nat({ max: 1 << 20 });
const byte = fc.integer({ min: 0, max: 255 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: offset, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: offset, value: byte }),
  fc.record({ op: fc.constant('truncate' as const), at: offset }),
  fc.record({ op: fc.constant('insert' as const), at: offset, bytes: fc.array(byte, { minLength: 1, maxLength: 32 }) }),
  fc.record({ op: fc.constant('delete' as const), at: offset, count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('u32' as const), at: offset, value: fc.oneof(fc.constantFrom(...HEADER_U32), fc.nat({ max: 0xffffffff })), bigEndian: fc.boolean() }),
  fc.record({ op: fc.constant('length' as const), element: fc.nat({ max: 63 }), value: fc.oneof(fc.constantFrom(...HEADER_U32, 0xffff, 2), fc.nat({ max: 0xffffffff })) }),
  fc.record({ op: fc.constant('vr' as const), element: fc.nat({ max: 63 }), vr: fc.constantFrom(...BOGUS_VRS) }),
  fc.record({ op: fc.constant('us' as const), tag: fc.constantFrom(...US_TAGS), value: fc.oneof(fc.constantFrom(...US_VALUES), fc.nat({ max: 0xffff })) }),
  fc.constantFrom(...TEXT_TAGS).chain((tag) => fc.record({
    op: fc.constant('text' as const), tag: fc.constant(tag), value: fc.oneof(fc.constantFrom(...TEXT_VALUES[tag]), fc.string({ maxLength: 24 })),
  })),
  fc.record({
    op: fc.constant('ihdr' as const),
    field: fc.constantFrom('width' as const, 'height' as const, 'bitDepth' as const, 'colorType' as const, 'interlace' as const),
    value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 6, 8, 16, 0x7fffffff, 0xffffffff, 100_000, 10_001), fc.nat({ max: 0xffffffff })),
    fixCrc: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('sof' as const),
    field: fc.constantFrom('height' as const, 'width' as const, 'components' as const, 'precision' as const, 'marker' as const),
    value: fc.oneof(fc.constantFrom(0, 1, 3, 4, 12, 16, 0xc3, 0xc9, 0xcf, 0xffff), fc.nat({ max: 0xffff })),
  }),
);

export function recipeArbitrary(baseCount: number): fc.Arbitrary<FuzzRecipe> {
  const fromBase = fc.record({
    source: fc.constant('base' as const),
    base: fc.nat({ max: baseCount - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }),
  });
  const random = fc.record({
    source: fc.constant('random' as const),
    magic: fc.constantFrom('none' as const, 'dicm' as const, 'meta' as const, 'png' as const, 'jpeg' as const),
    bytes: fc.array(byte, { maxLength: 2048 }),
  });
  // Mostly mutated valid files: they get past the sniffing and into the decoders.
  return fc.oneof({ weight: 9, arbitrary: fromBase }, { weight: 1, arbitrary: random });
}

const MAGIC: Record<Extract<FuzzRecipe, { source: 'random' }>['magic'], (bytes: Buffer) => Buffer> = {
  none: (b) => b,
  dicm: (b) => Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), b]),
  meta: (b) => Buffer.concat([Buffer.from([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00]), b]),
  png: (b) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), b]),
  jpeg: (b) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), b]),
};

/** The bytes a recipe describes. Deterministic. */
export function buildInput(recipe: FuzzRecipe, bases: readonly BaseInput[]): Buffer {
  if (recipe.source === 'random') return MAGIC[recipe.magic](Buffer.from(recipe.bytes));
  const base = bases[recipe.base];
  let bytes: Buffer = Buffer.from(base.bytes);
  let layout = layoutOf(base);
  for (const m of recipe.mutations) {
    bytes = applyMutation(bytes, m, layout);
    // Structural edits move the elements: later field mutations then do nothing rather than hit stale offsets.
    if (m.op === 'insert' || m.op === 'delete' || m.op === 'truncate' || m.op === 'text') layout = [];
  }
  return bytes;
}

function applyMutation(bytes: Buffer, m: Mutation, layout: readonly ElementLayout[]): Buffer {
  const at = (value: number) => (bytes.length === 0 ? 0 : value % bytes.length);
  switch (m.op) {
    case 'flip': if (bytes.length) bytes[at(m.at)] ^= 1 << m.bit; return bytes;
    case 'set': if (bytes.length) bytes[at(m.at)] = m.value; return bytes;
    case 'truncate': return bytes.subarray(0, m.at % (bytes.length + 1));
    case 'insert': { const i = m.at % (bytes.length + 1); return Buffer.concat([bytes.subarray(0, i), Buffer.from(m.bytes), bytes.subarray(i)]); }
    case 'delete': { const i = at(m.at); return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + m.count)]); }
    case 'u32': {
      if (bytes.length < 4) return bytes;
      const i = m.at % (bytes.length - 3);
      if (m.bigEndian) bytes.writeUInt32BE(m.value >>> 0, i); else bytes.writeUInt32LE(m.value >>> 0, i);
      return bytes;
    }
    case 'length': {
      if (layout.length === 0) return bytes;
      const e = layout[m.element % layout.length];
      writeUint(bytes, e.lengthOffset, e.lengthSize, e.lengthSize === 2 ? m.value % 0x10000 : m.value >>> 0, e.littleEndian);
      return bytes;
    }
    case 'vr': {
      const explicit = layout.filter((e) => e.vrOffset !== undefined);
      if (explicit.length === 0) return bytes;
      bytes.write(m.vr, explicit[m.element % explicit.length].vrOffset!, 2, 'latin1');
      return bytes;
    }
    case 'us': {
      const e = layout.find((x) => x.tag === m.tag);
      if (e && e.valueLength >= 2) writeUint(bytes, e.valueOffset, 2, m.value, e.littleEndian);
      return bytes;
    }
    case 'text': return replaceText(bytes, layout, m.tag, m.value);
    case 'ihdr': return mutateIhdr(bytes, m);
    case 'sof': return mutateSof(bytes, m);
  }
}

function writeUint(bytes: Buffer, offsetInFile: number, size: number, value: number, littleEndian: boolean): void {
  if (size === 2) {
    if (littleEndian) bytes.writeUInt16LE(value, offsetInFile); else bytes.writeUInt16BE(value, offsetInFile);
  } else if (littleEndian) {
    bytes.writeUInt32LE(value, offsetInFile);
  } else {
    bytes.writeUInt32BE(value, offsetInFile);
  }
}

/** Replaces one element's value and rewrites its length field; group lengths are left stale, as a broken writer would. */
function replaceText(bytes: Buffer, layout: readonly ElementLayout[], tag: number, value: string): Buffer {
  const e = layout.find((x) => x.tag === tag);
  if (!e) return bytes;
  const padded = Buffer.from(value.length % 2 === 0 ? value : `${value} `, 'latin1');
  if (e.lengthSize === 2 && padded.length > 0xffff) return bytes;
  const out = Buffer.concat([bytes.subarray(0, e.valueOffset), padded, bytes.subarray(e.valueOffset + e.valueLength)]);
  writeUint(out, e.lengthOffset, e.lengthSize, padded.length, e.littleEndian);
  return out;
}

const IHDR_FIELDS = { width: [16, 4], height: [20, 4], bitDepth: [24, 1], colorType: [25, 1], interlace: [28, 1] } as const;

function mutateIhdr(bytes: Buffer, m: Extract<Mutation, { op: 'ihdr' }>): Buffer {
  if (bytes.length < 33 || bytes.toString('latin1', 12, 16) !== 'IHDR') return bytes;
  const [position, size] = IHDR_FIELDS[m.field];
  if (size === 4) bytes.writeUInt32BE(m.value >>> 0, position); else bytes[position] = m.value & 0xff;
  if (m.fixCrc) bytes.writeUInt32BE(zlib.crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

function mutateSof(bytes: Buffer, m: Extract<Mutation, { op: 'sof' }>): Buffer {
  for (let i = 2; i + 10 <= bytes.length;) {
    if (bytes[i] !== 0xff) return bytes;
    const marker = bytes[i + 1];
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (m.field === 'marker') bytes[i + 1] = m.value & 0xff;
      else if (m.field === 'precision') bytes[i + 4] = m.value & 0xff;
      else if (m.field === 'height') bytes.writeUInt16BE(m.value & 0xffff, i + 5);
      else if (m.field === 'width') bytes.writeUInt16BE(m.value & 0xffff, i + 7);
      else bytes[i + 9] = m.value & 0xff;
      return bytes;
    }
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  return bytes;
}
