/**
 * Stage DICOM: copies every de-identified DICOM (Part 10) of a study version
 * into the version's own prefix of the staging bucket, because an import job
 * imports every file under one prefix. Pages through the study's instances,
 * copies with bounded concurrency, and hands back a cursor when the function
 * runs short of time, so the definition calls it again where it stopped.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { ImportState, ImportStateError, StagingProgress, studyVersionOf } from './import-state';
import { copyObjects, StagedCopy } from './staging-objects';
import { healthImagingInputPrefix, HealthImagingStatus, studyPrefix } from '../../../shared/records';
import { SafeLog } from '../../lambda/logger';
import { TableContext } from '../../storage/context';
import { listStudyDicomPage, recordHealthImagingImport, StudyDicomObject } from '../../storage/studies';

export interface StageDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  /** Where ingest wrote the de-identified DICOM. */
  readonly derivedBucket: string;
  readonly stagingBucket: string;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Instances read per query. @default 200 */
  readonly pageSize?: number;
  /** Copies in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Stop starting pages when less than this much time is left. @default 30000 */
  readonly reserveMs?: number;
}

const SEGMENT = /^[A-Za-z0-9-]{1,128}$/;

function stagedCopy(studyKey: string, version: number, object: StudyDicomObject): StagedCopy {
  // Only the study's own derived objects are ever copied, under pseudonymous segments.
  if (!object.dicomKey.startsWith(studyPrefix(studyKey)) || !SEGMENT.test(object.seriesKey) || !SEGMENT.test(object.instanceKey)) {
    throw new ImportStateError('an instance record points outside its study');
  }
  return {
    sourceKey: object.dicomKey,
    targetKey: `${healthImagingInputPrefix(studyKey, version)}${object.seriesKey}/${object.instanceKey}.dcm`,
  };
}

/** One round of staging; `remainingMs` is the invocation's time left. */
export async function stageStudyDicom(deps: StageDeps, state: ImportState, remainingMs: () => number): Promise<StagingProgress> {
  const { studyKey, version } = studyVersionOf(state);
  const previous = state.staging ?? { staged: 0, rounds: 0, done: false };
  if (previous.rounds === 0) {
    await recordHealthImagingImport(deps.table, studyKey, {
      version,
      status: HealthImagingStatus.STAGING,
      updatedAt: (deps.clock ?? (() => new Date()))().toISOString(),
    });
  }
  let cursor = previous.cursor;
  let staged = previous.staged;
  do {
    const page = await listStudyDicomPage(deps.table, studyKey, cursor, deps.pageSize ?? 200);
    const copies = page.objects.map((object) => stagedCopy(studyKey, version, object));
    await copyObjects(deps.s3, deps.derivedBucket, deps.stagingBucket, copies, deps.concurrency ?? 8);
    staged += copies.length;
    cursor = page.cursor;
  } while (cursor !== undefined && remainingMs() >= (deps.reserveMs ?? 30_000));
  const progress: StagingProgress = { staged, rounds: previous.rounds + 1, done: cursor === undefined, ...(cursor === undefined ? {} : { cursor }) };
  deps.log.info(progress.done ? 'DICOM staged' : 'DICOM staging continues', { studyKey, version, imageCount: staged, batchIndex: progress.rounds });
  return progress;
}
