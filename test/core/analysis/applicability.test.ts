import { imageRef, series } from './fixtures';
import { applicableImages } from '../../../src/core/analysis/applicability';
import { ImageSourceKind } from '../../../src/shared/analyzer-result';

const chest = [
  imageRef('dx', 'pa', { modality: 'DX', bodyPart: 'CHEST', sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', width: 3000, height: 3000 }),
  imageRef('dx', 'lat', { modality: 'DX', bodyPart: 'CHEST', sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', width: 200, height: 3000 }),
];
const png = imageRef('p', 'p', { modality: 'OT', sourceKind: ImageSourceKind.PNG, width: 64, height: 64 });

test('no rule: every image', () => {
  expect(applicableImages([...chest, png], undefined)).toEqual({ applies: true, images: [...chest, png] });
});

test('the images that meet every criterion, whatever the case of modality and body part', () => {
  const result = applicableImages([...chest, png, ...series('ct', 2)], {
    modalities: ['dx'], bodyParts: ['chest'], sopClassUids: ['1.2.840.10008.5.1.4.1.1.1.1'], sourceKinds: [ImageSourceKind.DICOM], minImageWidth: 1000,
  });
  expect(result).toEqual({ applies: true, images: [chest[0]] });
});

test.each([
  [{ sourceKinds: [ImageSourceKind.JPEG] }, 'SOURCE_KIND_NOT_APPLICABLE'],
  [{ modalities: ['MR'] }, 'MODALITY_NOT_APPLICABLE'],
  [{ bodyParts: ['HEAD'] }, 'BODY_PART_NOT_APPLICABLE'],
  [{ sopClassUids: ['1.2.840.10008.5.1.4.1.1.2'] }, 'SOP_CLASS_NOT_APPLICABLE'],
  [{ minImageWidth: 5000 }, 'IMAGE_TOO_SMALL'],
  [{ minImageHeight: 5000 }, 'IMAGE_TOO_SMALL'],
  // The first criterion that leaves nothing is the reason, in a fixed order.
  [{ modalities: ['DX'], minImageWidth: 5000, bodyParts: ['HEAD'] }, 'BODY_PART_NOT_APPLICABLE'],
])('%p -> SKIPPED %s', (rule, reason) => {
  expect(applicableImages([...chest, png], rule)).toEqual({ applies: false, skipReason: reason });
});

test('an image without the attribute a criterion needs does not pass it', () => {
  expect(applicableImages([png], { bodyParts: ['CHEST'] })).toEqual({ applies: false, skipReason: 'BODY_PART_NOT_APPLICABLE' });
  expect(applicableImages([{ ...png, sourceKind: undefined }], { sourceKinds: [ImageSourceKind.PNG] }))
    .toEqual({ applies: false, skipReason: 'SOURCE_KIND_NOT_APPLICABLE' });
});
