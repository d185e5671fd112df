import * as dicomParser from 'dicom-parser';
import { dcmdump } from './dcmdump';
import {
  BurnedInDecision,
  burnedInDecision,
  deidentificationSettingsFromJson,
  DeidentificationSettingsError,
  deidentificationSettingsJson,
  parseTag,
  resolveDeidentificationSettings,
} from '../../../src/core/deid';
import { IngestRejection, prepareObject, PrepareOptions } from '../../../src/core/preparation';
import { BurnedInAnnotationPolicy } from '../../../src/shared/deidentification';
import { makeDicom, makePng, phiValues } from '../../fixtures/images';
import { reasonOfAsync } from '../../support/rejections';

const pseudonymKey = Buffer.alloc(32, 0x5a);
const withPolicy = (policy: BurnedInAnnotationPolicy): PrepareOptions => ({
  pseudonymKey,
  deidentification: resolveDeidentificationSettings({ burnedInAnnotationPolicy: policy }),
});

const reasonOf = (bytes: Uint8Array, options: PrepareOptions) => reasonOfAsync(() => prepareObject(bytes, options), IngestRejection);

describe('burned-in annotation policy', () => {
  const settings = (policy: BurnedInAnnotationPolicy) => resolveDeidentificationSettings({ burnedInAnnotationPolicy: policy });

  test('YES, or a modality known for burned-in text, follows the policy; anything else is accepted', async () => {
    const quarantine = settings(BurnedInAnnotationPolicy.QUARANTINE);
    expect(burnedInDecision('YES', 'CT', quarantine)).toBe(BurnedInDecision.QUARANTINE);
    expect(burnedInDecision('NO', 'US', quarantine)).toBe(BurnedInDecision.QUARANTINE); // US devices are not trusted to say NO
    expect(burnedInDecision(undefined, 'es ', quarantine)).toBe(BurnedInDecision.QUARANTINE);
    expect(burnedInDecision('NO', 'CT', quarantine)).toBe(BurnedInDecision.ACCEPT);
    expect(burnedInDecision(undefined, undefined, quarantine)).toBe(BurnedInDecision.ACCEPT);
    expect(burnedInDecision('YES', 'CT', settings(BurnedInAnnotationPolicy.ALLOW))).toBe(BurnedInDecision.ACCEPT);
    expect(burnedInDecision('YES', 'CT', settings(BurnedInAnnotationPolicy.FLAG_FOR_REVIEW))).toBe(BurnedInDecision.REVIEW);
    const custom = resolveDeidentificationSettings({ burnedInAnnotationModalities: ['CR'] });
    expect(burnedInDecision(undefined, 'US', custom)).toBe(BurnedInDecision.ACCEPT);
    expect(burnedInDecision(undefined, 'CR', custom)).toBe(BurnedInDecision.QUARANTINE);
  });

  test('prepareObject quarantines by default, allows, or flags for review', async () => {
    const marked = makeDicom({ rows: 8, columns: 8, burnedInAnnotation: 'YES' });
    const ultrasound = makeDicom({ rows: 8, columns: 8, modality: 'US' });
    expect(await reasonOf(marked, { pseudonymKey })).toBe('BURNED_IN_ANNOTATION');
    expect(await reasonOf(ultrasound, { pseudonymKey })).toBe('BURNED_IN_ANNOTATION');

    const allowed = await prepareObject(marked, withPolicy(BurnedInAnnotationPolicy.ALLOW));
    expect(allowed).toMatchObject({ burnedInAnnotation: true });
    expect(allowed.requiresReview).toBe(false);

    const flagged = await prepareObject(ultrasound, withPolicy(BurnedInAnnotationPolicy.FLAG_FOR_REVIEW));
    expect(flagged).toMatchObject({ burnedInAnnotation: true, requiresReview: true });

    const plain = await prepareObject(makeDicom({ rows: 8, columns: 8, burnedInAnnotation: 'NO' }), { pseudonymKey });
    expect(plain).toMatchObject({ burnedInAnnotation: false, requiresReview: false });
  });
});

describe('prepareObject de-identified output', () => {
  test('is Part 10 without PHI, with the profile recorded and the pixel data intact', async () => {
    const input = makeDicom({ rows: 16, columns: 16, transferSyntax: 'implicit', phi: { patientName: 'ROE^RICHARD' } });
    const result = await prepareObject(input, { pseudonymKey });
    const out = result.deidentifiedDicom!;
    expect(out).toBeInstanceOf(Buffer);
    const raw = out.toString('latin1');
    for (const value of [...phiValues({ patientName: 'ROE^RICHARD' }), 'ROE']) {
      if (/^[0-9]{8}$/.test(value)) continue; // an 8-digit date can appear in pixel bytes only by chance; checked below as a value
      expect(raw).not.toContain(value);
    }
    const parsed = dicomParser.parseDicom(out);
    expect(parsed.string('x00100030')).toBeUndefined();
    expect(parsed.string('x00120062')).toBe('YES');
    expect(parsed.elements.x7fe00010.length).toBe(16 * 16 * 2);
    expect(dcmdump(out).problems).toEqual([]);
  });

  test('plain images have no DICOM output', async () => {
    const png = await prepareObject(makePng(4, 4, (x, y) => x + y), { pseudonymKey });
    expect(png.deidentifiedDicom).toBeUndefined();
  });
});

describe('settings', () => {
  test('tags parse in three spellings; only private tags may be safe-listed', async () => {
    expect(['00291010', '0029,1010', '(0029,1010)'].map(parseTag)).toEqual([0x00291010, 0x00291010, 0x00291010]);
    expect(parseTag('0029-1010')).toBeUndefined();
    expect(() => resolveDeidentificationSettings({ privateTagSafeList: ['00100010'] })).toThrow(DeidentificationSettingsError);
  });

  test('the environment JSON round-trips, and malformed JSON is refused without echoing it', async () => {
    const options = { retainDeviceIdentity: true, privateTagSafeList: ['00091002'], burnedInAnnotationPolicy: BurnedInAnnotationPolicy.ALLOW };
    expect(deidentificationSettingsFromJson(deidentificationSettingsJson(options))).toEqual(resolveDeidentificationSettings(options));
    expect(deidentificationSettingsFromJson(undefined)).toEqual(resolveDeidentificationSettings());
    expect(() => deidentificationSettingsFromJson('{"retainDeviceIdentity":"yes"}')).toThrow('DEIDENTIFICATION.retainDeviceIdentity is not a boolean');
    expect(() => deidentificationSettingsFromJson('not json')).toThrow('DEIDENTIFICATION is not valid JSON');
    expect(() => deidentificationSettingsFromJson('{"burnedInAnnotationPolicy":"MAYBE"}')).toThrow(DeidentificationSettingsError);
  });
});
