/**
 * The documents of one report revision built from a study version's manifest:
 * the de-identified UIDs reach the ImagingStudy, the Observations' derivedFrom
 * and the SR; PNG/JPEG studies get generated, stable UIDs only when asked; the
 * HTML report has the study summary and bounded thumbnails.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPngHeader } from '../../../src/core/imaging/png';
import {
  buildReportDocuments,
  generatedStudyUid,
  MAX_REPORT_PREVIEWS,
  previewImagesOf,
  REPORT_PREVIEW_MAX_BYTES,
  REPORT_PREVIEW_MAX_DIMENSION,
  reportPreviewOf,
  reportStudyOf,
  SECONDARY_CAPTURE_IMAGE_STORAGE,
  studySummaryOf,
} from '../../../src/core/reports';
import { ImageReference, ImageSourceKind } from '../../../src/shared/analyzer-result';
import { makePng, seededRandom } from '../../fixtures/images';
import { fhirSchemaErrors } from '../../support/fhir-schema';
import { analyzerResult, CR_IMAGE_STORAGE, PNEUMOTHORAX, reportInput, UNDEREXPOSED } from '../../support/report-fixtures';

const STUDY_UID = '2.25.900';

/** A manifest entry of a de-identified DICOM instance (`ser<series>/ins<n>`). */
function dicomImage(series: number, n: number, extra: Partial<ImageReference> = {}): ImageReference {
  return {
    imageRef: `ser${series}/ins${n}`,
    bucket: 'derived',
    previewKey: `studies/k/ser${series}/ins${n}/preview.png`,
    analysisKey: `studies/k/ser${series}/ins${n}/analysis.png`,
    width: 1000,
    height: 500,
    modality: 'CR',
    sourceKind: ImageSourceKind.DICOM,
    seriesKey: `ser${series}`,
    bodyPart: 'CHEST',
    sopClassUid: CR_IMAGE_STORAGE,
    dicomKey: `studies/k/ser${series}/ins${n}/instance.dcm`,
    dicomUids: { studyInstanceUid: STUDY_UID, seriesInstanceUid: `2.25.90${series}`, sopInstanceUid: `2.25.90${series}${n}` },
    ...extra,
  };
}

const pngImage: ImageReference = {
  imageRef: 'objkey/objkey', bucket: 'derived', previewKey: 'p', analysisKey: 'a', width: 640, height: 480, modality: 'OT', sourceKind: ImageSourceKind.PNG, seriesKey: 'objkey',
};

/** Findings name images by the pipeline's pseudonymous `imageRef`, never by UID. */
const findings = [{ ...PNEUMOTHORAX, imageRef: 'ser1/ins2' }, { ...UNDEREXPOSED, imageRef: 'ser2/ins1' }];
const images = [dicomImage(1, 1), dicomImage(1, 2), dicomImage(2, 1, { bodyPart: 'ABDOMEN', modality: 'DX' })];
const input = reportInput([analyzerResult(findings)], { studyKey: 'k', version: 1 });

type Entry = { fullUrl: string; resource: Record<string, any> };
const ofType = (bundle: string, type: string): Entry[] => (JSON.parse(bundle).entry as Entry[]).filter((e) => e.resource.resourceType === type);

describe('the report study from the manifest', () => {
  test('groups the de-identified UIDs into series, keeping the pipeline image references', () => {
    expect(reportStudyOf('k', images)).toEqual({
      studyInstanceUid: STUDY_UID,
      series: [
        {
          seriesInstanceUid: '2.25.901',
          modality: 'CR',
          bodyPart: 'CHEST',
          instances: [
            { sopInstanceUid: '2.25.9011', sopClassUid: CR_IMAGE_STORAGE, imageRef: 'ser1/ins1' },
            { sopInstanceUid: '2.25.9012', sopClassUid: CR_IMAGE_STORAGE, imageRef: 'ser1/ins2' },
          ],
        },
        { seriesInstanceUid: '2.25.902', modality: 'DX', bodyPart: 'ABDOMEN', instances: [{ sopInstanceUid: '2.25.9021', sopClassUid: CR_IMAGE_STORAGE, imageRef: 'ser2/ins1' }] },
      ],
    });
  });

  test('DICOM without recorded UIDs (stored before they were) and PNG/JPEG without the option give no study', () => {
    expect(reportStudyOf('k', [{ ...images[0], dicomUids: undefined }])).toBeUndefined();
    expect(reportStudyOf('k', [pngImage])).toBeUndefined();
    // An instance whose file lacked a UID is left out; the others still make the study.
    const partial = reportStudyOf('k', [{ ...images[0], dicomUids: { ...images[0].dicomUids!, seriesInstanceUid: '' } }, images[1]])!;
    expect(partial.series.flatMap((s) => s.instances.map((i) => i.imageRef))).toEqual(['ser1/ins2']);
    // A DICOM image never gets generated UIDs, even with the option.
    expect(reportStudyOf('k', [{ ...images[0], dicomUids: undefined }], { generateImageUids: true })).toBeUndefined();
  });

  test('a PNG/JPEG study gets UIDs under 2.25 derived from its pseudonymous keys: stable, distinct per study', () => {
    const study = reportStudyOf('k', [pngImage], { generateImageUids: true })!;
    expect(study.studyInstanceUid).toBe(generatedStudyUid('k'));
    expect(reportStudyOf('k', [pngImage], { generateImageUids: true })).toEqual(study);
    expect(generatedStudyUid('other')).not.toBe(study.studyInstanceUid);
    const uids = [study.studyInstanceUid, study.series[0].seriesInstanceUid, study.series[0].instances[0].sopInstanceUid];
    for (const uid of uids) expect(uid).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
    expect(new Set(uids).size).toBe(3);
    expect(study.series[0]).toMatchObject({ modality: 'OT', instances: [{ sopClassUid: SECONDARY_CAPTURE_IMAGE_STORAGE, imageRef: 'objkey/objkey' }] });
  });

  test('the summary counts images and series and lists modalities and body parts', () => {
    expect(studySummaryOf(images)).toEqual({ modality: 'CR, DX', bodyPart: 'CHEST, ABDOMEN', imageCount: 3, seriesCount: 2 });
  });

  test('previews: the images findings name first, then the first images, at most MAX_REPORT_PREVIEWS', () => {
    const many = Array.from({ length: 9 }, (_, i) => dicomImage(1, i + 1));
    const chosen = previewImagesOf([analyzerResult([{ ...UNDEREXPOSED, imageRef: 'ser1/ins7' }, { ...UNDEREXPOSED, imageRef: 'ser1/ins7' }])], many);
    expect(chosen.map((i) => i.imageRef)).toEqual(['ser1/ins7', 'ser1/ins1', 'ser1/ins2', 'ser1/ins3']);
    expect(chosen).toHaveLength(MAX_REPORT_PREVIEWS);
  });

  test('a thumbnail is bounded in pixels and bytes whatever the source, and its alt text names only what it is', async () => {
    const random = seededRandom(7);
    const noisy = makePng(900, 700, () => Math.floor(random() * 256));
    const preview = await reportPreviewOf(images[0], noisy);
    const header = readPngHeader(preview.bytes);
    expect(Math.max(header.width, header.height)).toBeLessThanOrEqual(REPORT_PREVIEW_MAX_DIMENSION);
    expect(preview.bytes.length).toBeLessThanOrEqual(REPORT_PREVIEW_MAX_BYTES);
    expect(noisy.length).toBeGreaterThan(REPORT_PREVIEW_MAX_BYTES * 5);
    expect(preview).toMatchObject({ imageRef: 'ser1/ins1', mimeType: 'image/png', description: 'CR chest image ser1/ins1, thumbnail of the de-identified image' });
  });
});

describe('the documents of a revision', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-docs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a DICOM study: ImagingStudy with its de-identified UIDs, Observations derived from it with the series body site, an SR', () => {
    const docs = buildReportDocuments(input, { images });
    expect(fhirSchemaErrors(JSON.parse(docs.bundle))).toEqual([]);
    const [imaging] = ofType(docs.bundle, 'ImagingStudy');
    expect(imaging.resource.identifier[0].value).toBe(`urn:oid:${STUDY_UID}`);
    expect(imaging.resource.series.map((s: any) => s.instance.map((i: any) => i.uid))).toEqual([['2.25.9011', '2.25.9012'], ['2.25.9021']]);
    const observations = ofType(docs.bundle, 'Observation').map((e) => e.resource);
    expect(observations.map((o) => o.derivedFrom)).toEqual([[{ reference: imaging.fullUrl }], [{ reference: imaging.fullUrl }]]);
    expect(observations.map((o) => o.bodySite)).toEqual([{ text: 'CHEST' }, { text: 'ABDOMEN' }]);
    expect(docs.studyInstanceUid).toBe(STUDY_UID);

    const file = path.join(dir, 'dicom.dcm');
    fs.writeFileSync(file, docs.structuredReport!.bytes);
    const run = spawnSync('dsrdump', ['+Pc', file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    // The region lands on the image the finding names (1000 x 500 pixels), referenced by its SOP Instance UID.
    expect(run.stdout).toMatch(/<contains SCOORD:\(111030,DCM,"Image Region"\)=\(POLYLINE,100\/100,/);
    const dump = spawnSync('dcmdump', ['+P', '0020,000d', '+P', '0008,1155', '+P', '0070,0022', file], { encoding: 'utf8' }).stdout;
    expect(dump).toMatch(/100\\100\\400\\100\\400\\300\\100\\300\\100\\100/);
    expect(dump).toContain(`[${STUDY_UID}]`);
    for (const uid of ['2.25.9011', '2.25.9012', '2.25.9021']) expect(dump).toContain(`[${uid}]`);
  });

  test('the HTML report has the study summary and the given previews as data: URIs', async () => {
    const previews = [await reportPreviewOf(images[1], makePng(64, 32, (x) => x * 4))];
    const { html } = buildReportDocuments(input, { images, previews });
    for (const shown of ['<dt>Modality</dt><dd>CR, DX</dd>', '<dt>Body part</dt><dd>CHEST, ABDOMEN</dd>', '<dt>Images</dt><dd>3</dd>', '<dt>Series</dt><dd>2</dd>']) {
      expect(html).toContain(shown);
    }
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(1);
    expect(html).toContain('alt="CR chest image ser1/ins2, thumbnail of the de-identified image"');
  });

  test('a PNG study: no SR and no ImagingStudy unless asked; asked, both name the same generated study', () => {
    const pngInput = reportInput([analyzerResult([{ ...UNDEREXPOSED, imageRef: pngImage.imageRef }])], { studyKey: 'objkey', version: 1 });
    const plain = buildReportDocuments(pngInput, { images: [pngImage] });
    expect(plain.structuredReport).toBeUndefined();
    expect(ofType(plain.bundle, 'ImagingStudy')).toEqual([]);
    const asked = buildReportDocuments(pngInput, { images: [pngImage], structuredReportForImages: true });
    const uid = generatedStudyUid('objkey');
    expect(ofType(asked.bundle, 'ImagingStudy')[0].resource.identifier[0].value).toBe(`urn:oid:${uid}`);
    expect(fhirSchemaErrors(JSON.parse(asked.bundle))).toEqual([]);
    const file = path.join(dir, 'png.dcm');
    fs.writeFileSync(file, asked.structuredReport!.bytes);
    expect(spawnSync('dsrdump', [file], { encoding: 'utf8' }).stderr).toBe('');
    expect(spawnSync('dcmdump', ['+P', '0020,000d', file], { encoding: 'utf8' }).stdout).toContain(`[${uid}]`);
    // A re-run writes the same SR.
    const again = buildReportDocuments(pngInput, { images: [pngImage], structuredReportForImages: true });
    expect(again.structuredReport!.bytes.equals(asked.structuredReport!.bytes)).toBe(true);
  });

  test('without a manifest: no study, no summary, and the reports still build', () => {
    const docs = buildReportDocuments(input, { images: [] });
    expect(docs.structuredReport).toBeUndefined();
    expect(docs.html).not.toContain('<dt>Images</dt>');
    expect(ofType(docs.bundle, 'ImagingStudy')).toEqual([]);
  });
});
