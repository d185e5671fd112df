/**
 * An analyzer's first step for a study: does it apply, which images does it
 * see, and in how many batches. The batches are always written to S3 (the
 * record of what was planned, and what a Distributed Map reads); only a small
 * selection also travels in the state. A re-analysis says what it asks in
 * the study (`study.reanalysis`): nothing is read to find out.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidStepInputError, StudyStateError } from './workflow-input';
import { applicableImages } from '../../core/analysis/applicability';
import { toBatches } from '../../core/analysis/batches';
import { selectImagesFor } from '../../core/analysis/image-selection';
import { INLINE_MAP_MAX_IMAGES } from '../../shared/analysis-plan';
import { ImageReference } from '../../shared/analyzer-result';
import { analysisPrefix, BATCHES_OBJECT, STUDY_RESULT_OBJECT } from '../../shared/records';
import { AnalysisPlan, AnalysisPlanRequest } from '../../shared/workflow';
import { copyObject, getJson, objectSize, putJson } from '../storage/objects';

export interface PlanAnalysisDeps {
  readonly s3: S3Client;
}

type StudyRequest = { analyzerName?: unknown; study?: { studyKey?: unknown; version?: unknown; manifest?: unknown; reanalysis?: unknown } };

export function assertStudyRequest(request: StudyRequest | undefined): void {
  if (typeof request?.analyzerName !== 'string' || request.analyzerName === '') throw new InvalidStepInputError('analyzerName is required');
  const study = request.study;
  if (typeof study?.studyKey !== 'string' || typeof study.version !== 'number' || typeof study.manifest !== 'object' || study.manifest === null) {
    throw new InvalidStepInputError('study with studyKey, version and manifest is required');
  }
  if (study.reanalysis !== undefined && !isOrderOf(study.reanalysis, study.version)) {
    throw new InvalidStepInputError('study.reanalysis needs an earlier previousVersion and a list of analyzer names');
  }
}

function isOrderOf(order: unknown, version: number): boolean {
  const { previousVersion, analyzers } = (order ?? {}) as { previousVersion?: unknown; analyzers?: unknown };
  return Number.isInteger(previousVersion) && (previousVersion as number) >= 1 && (previousVersion as number) < version
    && Array.isArray(analyzers) && analyzers.every((name) => typeof name === 'string');
}

export async function planAnalysis(deps: PlanAnalysisDeps, request: AnalysisPlanRequest): Promise<AnalysisPlan> {
  assertStudyRequest(request);
  const { study } = request;
  const resultsPrefix = analysisPrefix(study.studyKey, study.version, request.analyzerName);
  const batchesObject = { bucket: study.manifest.bucket, key: `${resultsPrefix}${BATCHES_OBJECT}` };
  // A re-analysis that did not ask for this analyzer keeps its previous result (collect reads the copy).
  const order = study.reanalysis;
  if (order !== undefined && !order.analyzers.includes(request.analyzerName)) {
    const previous = { bucket: study.manifest.bucket, key: `${analysisPrefix(study.studyKey, order.previousVersion, request.analyzerName)}${STUDY_RESULT_OBJECT}` };
    if (await objectSize(deps.s3, previous) === undefined) {
      return { applies: false, skipReason: 'NOT_REQUESTED', imageCount: 0, batchCount: 0, mode: 'INLINE', batches: [], batchesObject, resultsPrefix };
    }
    await copyObject(deps.s3, previous, `${resultsPrefix}${STUDY_RESULT_OBJECT}`);
    return { applies: true, imageCount: 0, batchCount: 0, mode: 'INLINE', batches: [], batchesObject, resultsPrefix, carriedOver: true };
  }
  const images = await getJson<ImageReference[]>(deps.s3, study.manifest);
  if (!Array.isArray(images)) throw new StudyStateError('Study manifest is missing');
  const applicable = applicableImages(images, request.applicability);
  if (!applicable.applies) {
    return { applies: false, skipReason: applicable.skipReason, imageCount: 0, batchCount: 0, mode: 'INLINE', batches: [], batchesObject, resultsPrefix };
  }
  const selected = selectImagesFor(applicable.images, request.selection);
  const batches = toBatches(selected, request.batchSize);
  await putJson(deps.s3, batchesObject, batches);
  const inline = selected.length <= INLINE_MAP_MAX_IMAGES;
  return {
    applies: true,
    imageCount: selected.length,
    batchCount: batches.length,
    mode: inline ? 'INLINE' : 'DISTRIBUTED',
    batches: inline ? batches : [],
    batchesObject,
    resultsPrefix,
  };
}
