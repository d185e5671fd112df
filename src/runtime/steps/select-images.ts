/**
 * First workflow step: claim the study version (READY -> ANALYZING), write its
 * de-identified image list to S3 (the manifest) and describe the study in a
 * summary whose size does not depend on the number of images.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { assertWorkflowInput, StudyStateError } from './workflow-input';
import { studyContextOf } from '../../core/analysis/study-context';
import { ImageReference, ImageSourceKind, StudyContext } from '../../shared/analyzer-result';
import { manifestKey, StudyStatus } from '../../shared/records';
import { WorkflowInput } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { InstanceRecord, listInstances } from '../storage/instances';
import { putJson } from '../storage/objects';
import { getStudy, transitionStudy } from '../storage/studies';

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

export async function selectImages(deps: SelectImagesDeps, input: WorkflowInput): Promise<StudyContext> {
  assertWorkflowInput(input);
  const { studyKey, version } = input;
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const claimed = await transitionStudy(deps.table, {
    studyKey, version, from: [StudyStatus.READY], to: StudyStatus.ANALYZING, now,
  });
  if (!claimed) {
    // A retried step finds its own claim; anything else means this run is stale.
    const meta = await getStudy(deps.table, studyKey);
    if (meta?.status !== StudyStatus.ANALYZING || meta.version !== version) {
      throw new StudyStateError('Study version is not READY');
    }
  }
  const instances = await listInstances(deps.table, studyKey);
  if (instances.length === 0) {
    throw new StudyStateError('Study has no instances');
  }
  const images = instances.map((instance) => imageReferenceOf(instance, deps.derivedBucket));
  const manifest = { bucket: deps.derivedBucket, key: manifestKey(studyKey, version) };
  await putJson(deps.s3, manifest, images);
  return studyContextOf(
    { studyKey, version, requiresReview: instances.some((instance) => instance.requiresReview === true) },
    images,
    manifest,
  );
}
