import { findingsFromEndpoint, MAX_ENDPOINT_ANSWER_BYTES } from '../../../src/core/service-answers/sagemaker-answer';
import { isUnderLocations, MAX_POLL_SECONDS, nextWaitSeconds, parseS3Uri } from '../../../src/core/service-answers/sagemaker-async';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('findingsFromEndpoint (the documented response contract)', () => {
  test('findings and modelVersion', () => {
    const reading = findingsFromEndpoint(bytes({
      findings: [
        { label: 'Pneumothorax', confidence: 0.93, code: 'RID5352', codeSystem: 'http://radlex.org', region: { left: 0.1, top: 0.05, width: 0.3, height: 0.5 } },
        { label: 'No fracture', confidence: 0.6 },
      ],
      modelVersion: 'cxr-2.3.1',
    }), 's/1');
    expect(reading).toEqual({
      ok: true,
      modelVersion: 'cxr-2.3.1',
      findings: [
        { label: 'Pneumothorax', confidence: 0.93, imageRef: 's/1', code: 'RID5352', codeSystem: 'http://radlex.org', region: { left: 0.1, top: 0.05, width: 0.3, height: 0.5 } },
        { label: 'No fracture', confidence: 0.6, imageRef: 's/1' },
      ],
    });
  });

  test.each([
    ['not JSON', 'label=Pneumothorax;confidence=0.9', /not UTF-8 JSON/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
    ['a bare array', [{ label: 'x', confidence: 0.5 }], /not a JSON object/],
    ['probabilities per class instead of findings', { predictions: { pneumothorax: 0.9 } }, /findings must be an array/],
    ['modelVersion with markup', { findings: [], modelVersion: '<script>' }, /modelVersion/],
    ['a javascript: code system', { findings: [{ label: 'x', confidence: 0.5, code: 'a', codeSystem: 'javascript:alert(1)' }] }, /codeSystem/],
  ])('malformed: %s', (_what, body, problem) => {
    const reading = findingsFromEndpoint(body instanceof Uint8Array ? body : bytes(body), 's/1');
    expect(!reading.ok && reading.problem).toMatch(problem);
  });

  test('an answer over 1 MiB is refused before parsing', () => {
    const reading = findingsFromEndpoint(new Uint8Array(MAX_ENDPOINT_ANSWER_BYTES + 1), 's/1');
    expect(!reading.ok && reading.problem).toMatch(/larger than 1 MiB/);
  });
});

describe('asynchronous progress', () => {
  test('the wait doubles, is capped at a minute and never passes the deadline', () => {
    const now = 1_000_000;
    expect(nextWaitSeconds(10, now, now + 600_000)).toBe(20);
    expect(nextWaitSeconds(40, now, now + 600_000)).toBe(MAX_POLL_SECONDS);
    expect(nextWaitSeconds(40, now, now + 7_500)).toBe(8);
    expect(nextWaitSeconds(40, now, now - 5_000)).toBe(1);
  });

  test('S3 URIs and the locations outputs may be read from', () => {
    expect(parseS3Uri('s3://out-bucket/async/out/abc.out')).toEqual({ bucket: 'out-bucket', key: 'async/out/abc.out' });
    expect(parseS3Uri('https://out-bucket.s3.amazonaws.com/x')).toBeUndefined();
    const allowed = ['s3://out-bucket/async/out/', 's3://fail-bucket/async/failed/'];
    expect(isUnderLocations('s3://out-bucket/async/out/abc.out', allowed)).toBe(true);
    expect(isUnderLocations('s3://fail-bucket/async/failed/abc-error.out', allowed)).toBe(true);
    expect(isUnderLocations('s3://out-bucket/studies/abc/instance.dcm', allowed)).toBe(false);
    expect(isUnderLocations('s3://other-bucket/async/out/abc.out', allowed)).toBe(false);
    expect(isUnderLocations('s3://out-bucket/async/out/../../studies/x', allowed)).toBe(false);
  });
});
