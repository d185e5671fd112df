/** Built-in offline analyzer: image-quality findings for each analysis-sized PNG. */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidStepInputError } from './workflow-input';
import { decodePng } from '../../core/imaging/png';
import { assessImageQuality } from '../../core/imaging/quality';
import { toGray } from '../../core/imaging/raster';
import { AnalyzerErrorCode } from '../../shared/analyzer-errors';
import { ANALYZER_CONTRACT_VERSION, AnalyzerFinding, AnalyzerInvocation, AnalyzerResult, AnalyzerStatus } from '../../shared/analyzer-result';
import { getObjectBytes } from '../storage/objects';

export const IMAGE_QUALITY_MODEL_ID = 'image-quality';
export const IMAGE_QUALITY_MODEL_VERSION = '1';

export class UnexpectedImageError extends Error {
  constructor(message = 'Analysis image is not an 8-bit PNG') {
    super(message);
    this.name = 'UnexpectedImageError';
  }
}

export async function analyzeImageQuality(
  deps: { readonly s3: S3Client; readonly clock?: () => number },
  invocation: AnalyzerInvocation,
): Promise<AnalyzerResult> {
  const clock = deps.clock ?? (() => Date.now());
  const started = clock();
  if (!Array.isArray(invocation?.batch?.images) || typeof invocation.analyzerName !== 'string') {
    throw new InvalidStepInputError('analyzerName and batch.images are required');
  }
  const findings: AnalyzerFinding[] = [];
  const result = (status: AnalyzerStatus, errorCode?: string): AnalyzerResult => ({
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    analyzerName: invocation.analyzerName,
    modelId: IMAGE_QUALITY_MODEL_ID,
    modelVersion: IMAGE_QUALITY_MODEL_VERSION,
    status,
    findings: status === AnalyzerStatus.SUCCEEDED ? findings : [],
    durationMs: Math.max(0, clock() - started),
    imageCount: invocation.batch.images.length,
    ...(errorCode === undefined ? {} : { errorCode }),
  });
  for (const image of invocation.batch.images) {
    const bytes = await getObjectBytes(deps.s3, { bucket: image.bucket, key: image.analysisKey });
    // A missing derived image is a broken study, not a quality finding, and asking again will not bring it back.
    if (bytes === undefined) return result(AnalyzerStatus.FAILED, AnalyzerErrorCode.IMAGE_MISSING);
    const decoded = decodePng(bytes);
    if (decoded.bitDepth !== 8) {
      throw new UnexpectedImageError();
    }
    findings.push(...assessImageQuality(toGray(decoded.image), image.imageRef));
  }
  return result(AnalyzerStatus.SUCCEEDED);
}
