/**
 * Seeded, synthetic uploads for local runs: DICOM series, single DICOM images,
 * PNG and JPEG files (with identifying text embedded), and corrupt input.
 * Every identifying value is fake, unique per study and returned in `phi`, so a
 * run can prove none of it comes out the other end.
 */
import { DicomPhi, makeDicom, makeJpeg, makePng, seededRandom, TEST_UID_ROOT } from '../../test/fixtures/images';

export interface Upload {
  readonly key: string;
  readonly body: Buffer;
  /** What the upload is, for progress and assertions. */
  readonly label: string;
  /** Study index this upload belongs to (uploads of one study share it); undefined for corrupt input. */
  readonly study?: number;
  readonly corrupt?: boolean;
}

const FAMILY = ['HARTLEY', 'OYELARAN', 'NAKAMURA', 'FITZGERALD', 'VALDERRAMA', 'KOWALCZYK', 'ABERNATHY', 'DELACROIX', 'MWANGI', 'SORENSEN'];
const GIVEN = ['ROSALIND', 'THEODORE', 'IMOGEN', 'BARNABY', 'PERPETUA', 'LEOPOLD', 'OCTAVIA', 'CASIMIR', 'WILHELMINA', 'EZEKIEL'];

/** Fake but realistic identifying attributes of study `index`. */
export function studyPhi(index: number): DicomPhi {
  const n = index + 1;
  return {
    patientName: `${FAMILY[index % FAMILY.length]}^${GIVEN[(index * 3) % GIVEN.length]}`,
    patientId: `MRN-${String(730000 + n * 17)}`,
    birthDate: `19${String(40 + (n % 50)).padStart(2, '0')}${String((n % 12) + 1).padStart(2, '0')}${String((n % 27) + 1).padStart(2, '0')}`,
    accessionNumber: `ACC-${String(880000 + n * 31)}`,
    studyUid: `${TEST_UID_ROOT}.77.${n}`,
    seriesUid: `${TEST_UID_ROOT}.77.${n}.1`,
    sopUid: `${TEST_UID_ROOT}.77.${n}.1.1`,
    institution: `ST ${FAMILY[(index + 5) % FAMILY.length]} REGIONAL HOSPITAL`,
  };
}

/** The values a scan of outputs must never find: names, ids, birth dates, accession numbers, original UIDs, institutions. */
export function phiStrings(studyIndexes: readonly number[], slicesPerStudy = 64): string[] {
  const values = new Set<string>();
  for (const index of studyIndexes) {
    const phi = studyPhi(index);
    for (const value of Object.values(phi)) values.add(value);
    values.add(phi.patientName.replace('^', ' '));
    for (let s = 1; s <= slicesPerStudy; s++) values.add(`${phi.seriesUid}.${s}`);
  }
  return [...values];
}

export interface SeriesOptions {
  readonly study: number;
  readonly modality: string;
  readonly slices: number;
  readonly size?: number;
  /** Write (0020,1208) Number of Study Related Instances, so the study is ready when all arrived. @default false */
  readonly announceCount?: boolean;
  readonly keyPrefix?: string;
}

/** A DICOM series of `slices` instances (one study), each with the study's PHI in the usual tags. */
export function dicomSeries(options: SeriesOptions): Upload[] {
  const phi = studyPhi(options.study);
  const size = options.size ?? 96;
  const random = seededRandom(options.study + 11);
  return Array.from({ length: options.slices }, (_, i) => {
    const slice = i + 1;
    const phase = random() * 40;
    const body = makeDicom({
      rows: size,
      columns: size,
      modality: options.modality,
      rescale: options.modality === 'CT' ? { slope: 1, intercept: -1024 } : undefined,
      window: options.modality === 'CT' ? { center: 40, width: 400 } : undefined,
      pixelFn: (x, y) => {
        const inDisc = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 3) ** 2;
        return Math.round(1024 + 600 * Math.sin((x + phase) / 9) * Math.cos((y + slice * 3) / 11) + (inDisc ? 300 : 0));
      },
      phi: { ...phi, sopUid: `${phi.seriesUid}.${slice}` },
      numberOfStudyRelatedInstances: options.announceCount ? options.slices : undefined,
    });
    return {
      key: `${options.keyPrefix ?? 'incoming/'}${phi.patientName.replace('^', '_')}/${options.modality}-${phi.accessionNumber}-${slice}.dcm`,
      body,
      label: `${options.modality} slice ${slice}/${options.slices}`,
      study: options.study,
    };
  });
}

/** A PNG photo whose text chunk names the patient (the pipeline must strip it). */
export function pngUpload(study: number, width: number, height: number, keyPrefix = 'incoming/'): Upload {
  const phi = studyPhi(study);
  const body = makePng(width, height, (x, y, c) => (x * 3 + y * 2 + c * 40) % 256, {
    channels: 3,
    textChunks: { Comment: `Patient ${phi.patientName} ${phi.patientId} born ${phi.birthDate}` },
  });
  return { key: `${keyPrefix}photos/${phi.patientId}-dermatology.png`, body, label: `PNG ${width}x${height}`, study };
}

/** A JPEG whose comment segment names the patient (the pipeline must strip it). */
export function jpegUpload(study: number, width: number, height: number, keyPrefix = 'incoming/'): Upload {
  const phi = studyPhi(study);
  const body = makeJpeg(width, height, (x, y) => 128 + 100 * Math.sin(x / 13) * Math.cos(y / 17), {
    comments: [`${phi.patientName} ${phi.accessionNumber}`],
  });
  return { key: `${keyPrefix}photos/${phi.accessionNumber}-wound.jpg`, body, label: `JPEG ${width}x${height}`, study };
}

/** Input the pipeline must quarantine: a truncated DICOM file and bytes of no known format. */
export function corruptUploads(seed: number, keyPrefix = 'incoming/'): Upload[] {
  const phi = studyPhi(900 + seed);
  const truncated = makeDicom({ rows: 64, columns: 64, phi, modality: 'CT' }).subarray(0, 400);
  const random = seededRandom(seed + 101);
  const noise = Buffer.from(Array.from({ length: 2048 }, () => Math.floor(random() * 256)));
  return [
    { key: `${keyPrefix}${phi.patientName.replace('^', '_')}/broken-${seed}.dcm`, body: Buffer.from(truncated), label: 'truncated DICOM', corrupt: true },
    { key: `${keyPrefix}misc/${phi.patientId}-scan-${seed}.dcm`, body: noise, label: 'random bytes', corrupt: true },
  ];
}
