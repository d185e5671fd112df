import { readBedrockSettings, readRekognitionSettings, readSageMakerSettings } from '../../../src/core/service-answers/settings';

describe('analyzer settings (the JSON the construct writes, read back by the handler)', () => {
  test('each reader accepts its own settings', () => {
    expect(readRekognitionSettings(JSON.stringify({ service: 'rekognition', maxLabels: 20, minConfidence: 70 }))).toEqual({ service: 'rekognition', maxLabels: 20, minConfidence: 70 });
    const bedrock = { service: 'bedrock', modelId: 'us.amazon.nova-pro-v1:0', recordedModelId: 'amazon.nova-pro-v1:0', modelVersion: 'v1:0', maxTokens: 2048, temperature: 0 };
    expect(readBedrockSettings(JSON.stringify(bedrock))).toEqual(bedrock);
    const sageMaker = {
      service: 'sagemaker',
      endpointName: 'cxr',
      inputFormat: 'DICOM',
      maxPayloadBytes: 6291456,
      modelId: 'cxr',
      async: { maxWaitSeconds: 900, initialPollSeconds: 10, outputLocations: ['s3://out/async/'] },
    };
    expect(readSageMakerSettings(JSON.stringify(sageMaker))).toEqual(sageMaker);
  });

  test.each([
    [undefined, /is not set/],
    ['', /is not set/],
    ['{not json', /is not JSON/],
    ['[1]', /is not a JSON object/],
    [JSON.stringify({ service: 'bedrock', maxLabels: 5 }), /is not for the rekognition analyzer/],
    [JSON.stringify({ service: 'rekognition', maxLabels: 0 }), /maxLabels/],
    [JSON.stringify({ service: 'rekognition', maxLabels: 5, minConfidence: 101 }), /minConfidence/],
  ])('rejects %p without echoing values', (raw, problem) => {
    expect(() => readRekognitionSettings(raw)).toThrow(problem);
    try {
      readRekognitionSettings(raw);
    } catch (error) {
      expect((error as Error).name).toBe('InvalidAnalyzerSettingsError');
    }
  });

  test('bedrock and sagemaker fields are checked', () => {
    expect(() => readBedrockSettings(JSON.stringify({ service: 'bedrock', modelId: 'm', recordedModelId: 'm', modelVersion: 'v', maxTokens: 10, temperature: 2 }))).toThrow(/temperature/);
    expect(() => readSageMakerSettings(JSON.stringify({ service: 'sagemaker', endpointName: 'e', modelId: 'e', inputFormat: 'JPEG', maxPayloadBytes: 10 }))).toThrow(/inputFormat/);
    expect(() => readSageMakerSettings(JSON.stringify({
      service: 'sagemaker', endpointName: 'e', modelId: 'e', inputFormat: 'PNG', maxPayloadBytes: 10, async: { maxWaitSeconds: 900, initialPollSeconds: 10, outputLocations: ['https://x'] },
    }))).toThrow(/outputLocations/);
  });
});
