import { validateAnalyzerResult } from '../../../src/core/analysis/result-validation';
import { checkImageLimits, CUSTOM_LABELS_IMAGE_LIMITS, DETECT_LABELS_IMAGE_LIMITS, ImageLimitVerdict } from '../../../src/core/service-answers/image-limits';
import { regionFromBox } from '../../../src/core/service-answers/region';
import {
  customLabelsModel, findingsFromCustomLabels, findingsFromLabels, fractionOfPercent, isProjectVersionArn,
} from '../../../src/core/service-answers/rekognition-answer';

const ARN = 'arn:aws:rekognition:eu-west-1:111122223333:project/chest-xray/version/chest-xray.2024-05-01T10.00.00/1714557600000';

describe('DetectLabels answers', () => {
  // Shaped like the documented DetectLabelsResponse: object labels carry Instances with a BoundingBox.
  const labels = [
    {
      Name: 'Person',
      Confidence: 99.25,
      Instances: [
        { BoundingBox: { Width: 0.5, Height: 0.8, Left: 0.1, Top: 0.1 }, Confidence: 98.1 },
        { BoundingBox: { Width: 0.3, Height: 0.4, Left: 0.8, Top: -0.05 }, Confidence: 70 },
      ],
      Parents: [],
      Categories: [{ Name: 'Person Description' }],
    },
    { Name: 'X-Ray', Confidence: 87.5, Instances: [] },
    { Name: '  Medical\nImaging ', Confidence: 60 },
    { Confidence: 90 },
  ];

  test('one finding per located instance, one per scene label, confidence as a fraction', () => {
    const findings = findingsFromLabels(labels, 's/1', 20);
    expect(findings).toEqual([
      { label: 'Person', confidence: 0.981, imageRef: 's/1', region: { left: 0.1, top: 0.1, width: 0.5, height: 0.8 } },
      // A box reaching past the right and top edges is clipped to the image.
      { label: 'Person', confidence: 0.7, imageRef: 's/1', region: { left: 0.8, top: 0, width: expect.closeTo(0.2, 10), height: expect.closeTo(0.35, 10) } },
      { label: 'X-Ray', confidence: 0.875, imageRef: 's/1' },
      { label: 'Medical Imaging', confidence: 0.6, imageRef: 's/1' },
    ]);
    // The findings pass the workflow's own result check.
    const checked = validateAnalyzerResult({
      schemaVersion: '2.0', analyzerName: 'r', modelId: 'm', modelVersion: '3.0', status: 'SUCCEEDED', findings, durationMs: 1,
    }, { analyzerName: 'r', imageRefs: new Set(['s/1']) });
    expect(checked.valid).toBe(true);
  });

  test('at most maxFindings, in the service order', () => {
    expect(findingsFromLabels(labels, 's/1', 2).map((f) => f.confidence)).toEqual([0.981, 0.7]);
    expect(findingsFromLabels(undefined, 's/1', 5)).toEqual([]);
  });
});

describe('DetectCustomLabels answers', () => {
  test('custom labels with and without Geometry', () => {
    const findings = findingsFromCustomLabels([
      { Name: 'pneumothorax', Confidence: 91.2, Geometry: { BoundingBox: { Left: 0.6, Top: 0.2, Width: 0.2, Height: 0.3 } } },
      { Name: 'normal', Confidence: 8.8 },
      { Name: 'off-image', Confidence: 50, Geometry: { BoundingBox: { Left: 1.2, Top: 0.2, Width: 0.1, Height: 0.1 } } },
    ], 's/2', 10);
    expect(findings).toEqual([
      { label: 'pneumothorax', confidence: 0.912, imageRef: 's/2', region: { left: 0.6, top: 0.2, width: expect.closeTo(0.2, 10), height: 0.3 } },
      { label: 'normal', confidence: 0.088, imageRef: 's/2' },
      { label: 'off-image', confidence: 0.5, imageRef: 's/2' },
    ]);
  });

  test('model id and version come from the project version ARN', () => {
    expect(isProjectVersionArn(ARN)).toBe(true);
    expect(isProjectVersionArn('arn:aws:rekognition:eu-west-1:111122223333:project/chest-xray/1714557600000')).toBe(false);
    expect(customLabelsModel(ARN)).toEqual({ modelId: 'rekognition-custom-labels/chest-xray', modelVersion: 'chest-xray.2024-05-01T10.00.00' });
    expect(customLabelsModel('nonsense')).toEqual({ modelId: 'amazon-rekognition-custom-labels', modelVersion: 'unknown' });
  });
});

describe('helpers', () => {
  test.each([[55, 0.55], [100, 1], [120, 1], [-3, 0], [Number.NaN, undefined], ['90', undefined]])('fractionOfPercent(%p) = %p', (input, expected) => {
    expect(fractionOfPercent(input)).toBe(expected);
  });

  test('regions: missing or degenerate boxes are the whole image', () => {
    expect(regionFromBox(undefined)).toBeUndefined();
    expect(regionFromBox({ Left: 0.1, Top: 0.1, Width: 0 })).toBeUndefined();
    expect(regionFromBox({ Left: -1, Top: -1, Width: 0.5, Height: 0.5 })).toBeUndefined();
    expect(regionFromBox({ Left: -0.1, Top: 0.5, Width: 0.3, Height: 0.9 }))
      .toEqual({ left: 0, top: 0.5, width: expect.closeTo(0.2, 10), height: 0.5 });
  });

  test('image limits: bytes and pixels, both ways', () => {
    const ok = { bytes: 1_000_000, width: 1568, height: 1200 };
    expect(checkImageLimits(ok, DETECT_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.WITHIN_LIMITS);
    expect(checkImageLimits({ ...ok, bytes: 5 * 1024 * 1024 + 1 }, DETECT_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.TOO_LARGE);
    expect(checkImageLimits({ ...ok, bytes: 4 * 1024 * 1024 + 1 }, CUSTOM_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.TOO_LARGE);
    expect(checkImageLimits({ ...ok, width: 4097 }, CUSTOM_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.TOO_LARGE);
    expect(checkImageLimits({ ...ok, width: 4097 }, DETECT_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.WITHIN_LIMITS);
    expect(checkImageLimits({ ...ok, height: 79 }, DETECT_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.TOO_SMALL);
    expect(checkImageLimits({ ...ok, height: 79 }, CUSTOM_LABELS_IMAGE_LIMITS)).toBe(ImageLimitVerdict.WITHIN_LIMITS);
  });
});
