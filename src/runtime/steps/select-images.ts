/** First workflow step: claim the study version (READY -> ANALYZING) and describe its images. */
import { assertWorkflowInput, StudyStateError } from './workflow-input';
import { ANALYZER_CONTRACT_VERSION, StudyDescriptor } from '../../shared/analyzer-result';
import { StudyStatus } from '../../shared/records';
import { WorkflowInput } from '../../shared/workflow';
import { TableContext } from '../storage/context';
import { listInstances } from '../storage/instances';
import { getStudy, transitionStudy } from '../storage/studies';

export interface SelectImagesDeps {
  readonly table: TableContext;
  readonly derivedBucket: string;
  readonly clock?: () => Date;
}

export async function selectImages(deps: SelectImagesDeps, input: WorkflowInput): Promise<StudyDescriptor> {
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
  return {
    schemaVersion: ANALYZER_CONTRACT_VERSION,
    studyKey,
    version,
    images: instances.map((instance) => ({
      imageRef: `${instance.seriesKey}/${instance.instanceKey}`,
      bucket: deps.derivedBucket,
      previewKey: instance.previewKey,
      analysisKey: instance.analysisKey,
      width: instance.width,
      height: instance.height,
      modality: instance.modality,
    })),
    // Always present: the workflow reads it with a JSONPath that must resolve.
    requiresReview: instances.some((instance) => instance.requiresReview === true),
  };
}
