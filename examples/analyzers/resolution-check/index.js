'use strict';
// Example analyzer for Analyzer.lambdaFunction(): receives an AnalyzerInvocation
// ({ schemaVersion, analyzerName, study: { studyKey, version, imageCount, ... },
// batch: { index, count, images[] } }) and returns an AnalyzerResult for the
// batch's images. It reads no pixels: it flags images whose shorter side is
// under MIN_SIDE pixels, which most detection models cannot use.
const MIN_SIDE = 256;

exports.handler = async (invocation) => {
  const started = Date.now();
  const findings = invocation.batch.images
    .filter((image) => Math.min(image.width, image.height) < MIN_SIDE)
    .map((image) => ({
      label: 'Image resolution below model minimum',
      code: 'RC-LOW-RESOLUTION',
      codeSystem: 'urn:cdk-medical-imaging-pipeline:example',
      confidence: 1 - Math.min(image.width, image.height) / MIN_SIDE,
      imageRef: image.imageRef,
    }));
  return {
    schemaVersion: invocation.schemaVersion,
    analyzerName: invocation.analyzerName,
    modelId: 'example-resolution-check',
    modelVersion: '1',
    status: 'SUCCEEDED',
    findings,
    durationMs: Date.now() - started,
    imageCount: invocation.batch.images.length,
  };
};
