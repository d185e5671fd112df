/** Dummy values for action D: non-empty, valid for the VR, identical for every object. */

const TEXT_DUMMY: Readonly<Record<string, string>> = {
  AE: 'ANONYMIZED',
  AS: '000D',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UT: 'ANONYMIZED',
};

/** Binary VRs with a fixed value size. */
const BINARY_SIZE: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8 };

/**
 * The dummy value bytes for a VR, or undefined when the VR has no meaningful
 * dummy (OB, OW, UN, UR, ...): the caller then empties the value instead.
 */
export function dummyValue(vr: string): Uint8Array | undefined {
  const text = TEXT_DUMMY[vr];
  if (text !== undefined) return Buffer.from(text, 'latin1');
  const size = BINARY_SIZE[vr];
  return size === undefined ? undefined : new Uint8Array(size);
}
