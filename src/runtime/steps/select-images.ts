/**
 * First workflow step: claim the study version (READY -> ANALYZING), write its
 * de-identified image list to S3 (the manifest) and describe the study in a
 * summary whose size does not depend on the number of images. In a version a
 * re-analysis opened, the summary also carries what it asks (from the study
 * META the claim returns), so the plan steps need not look for an order.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { assertWorkflowInput, StudyStateError } from './workflow-input';
import { studyContextOf } from '../../core/analysis/study-context';
import { reanalysisOrderOf } from '../../core/reanalysis';
import { ImageReference, ImageSourceKind } from '../../shared/analyzer-result';
import { manifestKey, StudyStatus } from '../../shared/records';
import { WorkflowInput, WorkflowStudy } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { InstanceRecord, listInstances } from '../storage/instances';
import { putJson } from '../storage/objects';
import { getStudy, transitionStudyReturning } from '../storage/studies';

export interface SelectImagesDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly derivedBucket: string;
  readonly clock?: () => Date;
}

const SOURCE_KINDS: Record<string, ImageSourceKind> = {
  dicom: ImageSourceKind.DICOM,
  png: ImageSourceKind.PNG,
  jpeg: ImageSourceKind.JPEG,
};

/** How an analyzer sees one recorded instance. */
export function imageReferenceOf(instance: InstanceRecord, bucket: string): ImageReference {
  return {
    imageRef: `${instance.seriesKey}/${instance.instanceKey}`,
    bucket,
    previewKey: instance.previewKey,
    analysisKey: instance.analysisKey,
    width: instance.width,
    height: instance.height,
    analysisWidth: instance.analysisWidth,
    analysisHeight: instance.analysisHeight,
    modality: instance.modality,
    sourceKind: SOURCE_KINDS[instance.kind],
    seriesKey: instance.seriesKey,
    ...(instance.bodyPart === undefined ? {} : { bodyPart: instance.bodyPart }),
    ...(instance.sopClassUid === undefined ? {} : { sopClassUid: instance.sopClassUid }),
    ...(instance.instanceNumber === undefined ? {} : { instanceNumber: instance.instanceNumber }),
    ...(instance.dicomKey === undefined ? {} : { dicomKey: instance.dicomKey }),
    ...(instance.dicomUids === undefined ? {} : { dicomUids: instance.dicomUids }),
  };
}

export async function selectImages(deps: SelectImagesDeps, input: WorkflowInput): Promise<WorkflowStudy> {
  assertWorkflowInput(input);
  const { studyKey, version } = input;
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  // A retried step finds its own claim; anything else means this run is stale.
  const meta = await transitionStudyReturning(deps.table, {
    studyKey, version, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now,
  }) ?? await getStudy(deps.table, studyKey);
  if (meta?.status !== StudyStatus.ANALYZING || meta.version !== version) {
    throw new StudyStateError('Study version is not READY');
  }
  const instances = await listInstances(deps.table, studyKey);
  if (instances.length === 0) {
    throw new StudyStateError('Study has no instances');
  }
  const images = instances.map((instance) => imageReferenceOf(instance, deps.derivedBucket));
  const manifest = { bucket: deps.derivedBucket, key: manifestKey(studyKey, version) };
  await putJson(deps.s3, manifest, images);
  const context = studyContextOf(
    { studyKey, version, requiresReview: instances.some((instance) => instance.requiresReview === true) },
    images,
    manifest,
  );
  const reanalysis = reanalysisOrderOf(meta, version);
  return reanalysis === undefined ? context : { ...context, reanalysis };
}
