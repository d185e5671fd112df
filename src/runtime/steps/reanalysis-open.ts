/**
 * Opens the next version of one past study for a re-analysis run: the study
 * must still exist with every de-identified image the analyzers read, and be
 * at rest. The version's order (which analyzers run again) is marked on the
 * study META in the same write that moves it to READY, so the analysis
 * execution, whoever starts it, finds it when it claims the version.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidStepInputError } from './workflow-input';
import { planReanalysisVersion, ReanalysisMark, STUDY_BUSY_ERROR, STUDY_NOT_FOUND_ERROR, VersionedStudy } from '../../core/reanalysis';
import { executionName, META_SK, StudyStatus, studyPk } from '../../shared/records';
import { isConditionFailure, TableContext } from '../storage/context';
import { listInstances } from '../storage/instances';
import { objectSize } from '../storage/objects';
import { getStudy } from '../storage/studies';

export interface OpenVersionDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly derivedBucket: string;
  /** Image objects checked at once. @default 16 */
  readonly checkConcurrency?: number;
  readonly clock?: () => Date;
}

export interface OpenVersionInput {
  readonly runId: string;
  readonly analyzers: readonly string[];
  readonly study: { readonly studyKey: string };
}

export interface OpenedVersion {
  readonly studyKey: string;
  readonly previousVersion: number;
  readonly version: number;
  /** The analysis execution of the new version (the name ingest and the sweeper would use). */
  readonly executionName: string;
}

/** The study, its instances or its images are gone. */
export class StudyNotFoundError extends Error {
  constructor(what: string) {
    super(`The study's ${what} no longer exists`);
    this.name = STUDY_NOT_FOUND_ERROR;
  }
}

/** The study is receiving, being analysed or awaiting review. */
export class StudyBusyError extends Error {
  constructor() {
    super('The study is not at rest (COMPLETED or FAILED)');
    this.name = STUDY_BUSY_ERROR;
  }
}

const PSEUDONYM = /^[a-z2-7]{26}$/;

export async function openReanalysisVersion(deps: OpenVersionDeps, input: OpenVersionInput): Promise<OpenedVersion> {
  const studyKey = input?.study?.studyKey;
  if (typeof studyKey !== 'string' || !PSEUDONYM.test(studyKey)) throw new InvalidStepInputError('study.studyKey must be a study key');
  if (typeof input.runId !== 'string' || !Array.isArray(input.analyzers)) throw new InvalidStepInputError('runId and analyzers are required');
  const meta = await getStudy(deps.table, studyKey) as (VersionedStudy & { studyKey: string }) | undefined;
  if (meta === undefined) throw new StudyNotFoundError('record');
  const plan = planReanalysisVersion(meta, input.runId);
  if (plan.kind === 'BUSY') throw new StudyBusyError();
  const opened = { studyKey, previousVersion: plan.previousVersion, version: plan.version, executionName: executionName(studyKey, plan.version) };
  if (plan.kind === 'ALREADY_OPEN') return opened; // a retried step of this run

  await assertImagesStored(deps, studyKey);
  const mark: ReanalysisMark = { runId: input.runId, version: plan.version, previousVersion: plan.previousVersion, analyzers: [...input.analyzers] };
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  try {
    await deps.table.doc.send(new UpdateCommand({
      TableName: deps.table.tableName,
      Key: { PK: studyPk(studyKey), SK: META_SK },
      // Like a late instance opening a version, minus the arrival: the study keeps its images.
      UpdateExpression: 'SET #status = :ready, version = :next, updatedAt = :now, reanalysis = :mark REMOVE reviewDecision, reviewOverdue, reviewDeadline',
      ConditionExpression: '#status = :seen AND version = :version',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':ready': StudyStatus.READY,
        ':next': plan.version,
        ':now': now,
        ':mark': mark,
        ':seen': meta.status,
        ':version': plan.previousVersion,
      },
    }));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Something else moved the study meanwhile (an upload, a decision, or its deletion).
    const current = await getStudy(deps.table, studyKey);
    if (current === undefined) throw new StudyNotFoundError('record');
    throw new StudyBusyError();
  }
  return opened;
}

/** Every instance's analysis image must still be in the derived bucket (a deletion takes them away). */
async function assertImagesStored(deps: OpenVersionDeps, studyKey: string): Promise<void> {
  const instances = await listInstances(deps.table, studyKey);
  if (instances.length === 0) throw new StudyNotFoundError('instances');
  let next = 0;
  let missing = false;
  const worker = async () => {
    for (let i = next++; i < instances.length && !missing; i = next++) {
      if (await objectSize(deps.s3, { bucket: deps.derivedBucket, key: instances[i].analysisKey }) === undefined) missing = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.checkConcurrency ?? 16, instances.length) }, worker));
  if (missing) throw new StudyNotFoundError('de-identified images');
}
