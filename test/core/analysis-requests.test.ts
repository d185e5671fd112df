import { InvalidAnalysisRequest, isReadable, parseAnalysisRequest, readableSourcesFromJson } from '../../src/core/analysis-requests';

describe('Analysis Requested detail', () => {
  test('an object or a prefix, with size and version kept only when well formed', () => {
    expect(parseAnalysisRequest({ version: '1', bucket: 'b', key: 'k', size: 12, versionId: 'v' }))
      .toEqual({ kind: 'OBJECT', bucket: 'b', key: 'k', size: 12, versionId: 'v' });
    expect(parseAnalysisRequest({ version: '1', bucket: 'b', key: 'k', size: -1 })).toEqual({ kind: 'OBJECT', bucket: 'b', key: 'k' });
    expect(parseAnalysisRequest({ version: '1', bucket: 'b', prefix: 'p/' })).toEqual({ kind: 'PREFIX', bucket: 'b', prefix: 'p/' });
  });

  test.each([
    [null, 'detail is not an object'],
    [{ bucket: 'b', key: 'k' }, 'version must be "1"'],
    [{ version: '1', key: 'k' }, 'bucket is missing'],
    [{ version: '1', bucket: 'b' }, 'exactly one of key and prefix'],
    [{ version: '1', bucket: 'b', key: 'PATIENT^NAME.dcm', prefix: 'p/' }, 'exactly one of key and prefix'],
  ])('%j is refused: %s (and the message never repeats a value)', (detail, problem) => {
    expect(() => parseAnalysisRequest(detail)).toThrow(InvalidAnalysisRequest);
    expect(() => parseAnalysisRequest(detail)).toThrow(problem);
    try {
      parseAnalysisRequest(detail);
    } catch (error) {
      expect((error as Error).message).not.toContain('PATIENT');
    }
  });

  test('readable only inside a source and never inside an excluded prefix, nor by a prefix that covers one', () => {
    const sources = [{ bucket: 'upload', prefix: '' }, { bucket: 'archive', prefix: 'studies/' }];
    const excluded = [{ bucket: 'upload', prefix: 'quarantine/' }];
    const object = (bucket: string, key: string) => ({ kind: 'OBJECT' as const, bucket, key });
    const prefix = (bucket: string, path: string) => ({ kind: 'PREFIX' as const, bucket, prefix: path });
    expect(isReadable(object('upload', 'incoming/a.dcm'), sources, excluded)).toBe(true);
    expect(isReadable(object('archive', 'studies/a.dcm'), sources, excluded)).toBe(true);
    expect(isReadable(object('archive', 'other/a.dcm'), sources, excluded)).toBe(false);
    expect(isReadable(object('elsewhere', 'studies/a.dcm'), sources, excluded)).toBe(false);
    expect(isReadable(object('upload', 'quarantine/TOO_LARGE/h'), sources, excluded)).toBe(false);
    expect(isReadable(prefix('upload', 'incoming/'), sources, excluded)).toBe(true);
    expect(isReadable(prefix('upload', 'q'), sources, excluded)).toBe(false);
  });

  test('sources from the environment: a JSON list of bucket and prefix, anything else is a configuration error', () => {
    expect(readableSourcesFromJson(undefined)).toEqual([]);
    expect(readableSourcesFromJson('[{"bucket":"a","prefix":""}]')).toEqual([{ bucket: 'a', prefix: '' }]);
    expect(() => readableSourcesFromJson('{}')).toThrow('JSON list');
    expect(() => readableSourcesFromJson('[{"bucket":"a"}]')).toThrow('bucket name and a prefix');
  });
});
