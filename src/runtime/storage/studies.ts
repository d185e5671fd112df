/**
 * Study META item: lifecycle status and version, moved only by conditional writes.
 *
 * Crash safety without transactions: the instance put is conditional, and
 * `recordStudyArrival` is idempotent per arrival time. It runs on the duplicate
 * path too, so a crash between the two writes heals on redelivery, and because
 * it uses the instance's original `receivedAt` the quiet period is never
 * extended twice for the same instance.
 */
import { GetCommand, PutCommand, QueryCommand, QueryCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TableContext } from './context';
import { ReanalysisMark } from '../../core/reanalysis';
import {
  HealthImagingImportRecord,
  HealthImagingStatus,
  INSTANCE_SK_PREFIX,
  META_SK,
  REVIEW_QUEUE,
  REVIEW_QUEUE_INDEX_NAME,
  ReviewQueueAttr,
  reviewRank,
  STATUS_INDEX_NAME,
  StudyStatus,
  StudyStatusValue,
  studyPk,
} from '../../shared/records';

export interface StudyMeta {
  readonly studyKey: string;
  readonly status: StudyStatusValue;
  /** Starts at 1; a new instance after the study left RECEIVING opens version + 1. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Arrival time of the newest instance (drives the quiet period). */
  readonly lastInstanceAt: string;
  readonly singleImage: boolean;
  readonly expectedInstances?: number;
  readonly modality?: string;
  /** Sort key of the instance whose arrival opened the current version. */
  readonly openedBy: string;
  /** Arrival time of that instance: where the version's end-to-end latency starts. */
  readonly firstUploadAt?: string;
  /** The version `firstUploadAt` belongs to (a version opened another way has none of its own). */
  readonly firstUploadVersion?: number;
  readonly reviewDecision?: string;
  /** Priority of the version's findings (set when the workflow holds or releases it). */
  readonly priority?: string;
  /** When the held version's review is due (ISO time). */
  readonly reviewDeadline?: string;
  /** The deadline passed and a preliminary report is out; a decision is still accepted. */
  readonly reviewOverdue?: boolean;
  /** Latest report revision of the version. */
  readonly reportRevision?: number;
  /** Last version whose "Study Received" event was published. */
  readonly announcedVersion?: number;
  /**
   * Instances recorded, counted as each is first written (so readiness needs no
   * query over thousands of instances). May lag by one after a crash between
   * the two writes; readiness then falls back to the quiet period.
   */
  readonly instanceCount?: number;
  /** The HealthImaging import of the newest version that has one (when the option is on). */
  readonly healthImaging?: HealthImagingImportRecord;
  /** The re-analysis that opened a version (the latest one that did; compare its `version`). */
  readonly reanalysis?: ReanalysisMark;
}

export interface StudyArrival {
  readonly studyKey: string;
  /** Sort key of the arriving instance. */
  readonly instanceSk: string;
  /** The instance's original arrival time (its `receivedAt`), not the redelivery time. */
  readonly arrivedAt: string;
  readonly singleImage: boolean;
  readonly expectedInstances?: number;
  readonly modality?: string;
  /** Wall-clock time of this write. */
  readonly now: string;
}

export interface StudyArrivalResult {
  readonly meta: StudyMeta;
  /** True when this arrival created the study or opened a new version of it. */
  readonly opened: boolean;
}

/** Statuses a study can still leave for FAILED. */
export const NON_TERMINAL_STATUSES: readonly StudyStatusValue[] = [
  StudyStatus.RECEIVING,
  StudyStatus.READY,
  StudyStatus.ANALYZING,
  StudyStatus.IN_REVIEW,
];

const MAX_ATTEMPTS = 8;

const metaKey = (studyKey: string) => ({ PK: studyPk(studyKey), SK: META_SK });

export async function getStudy(ctx: TableContext, studyKey: string): Promise<StudyMeta | undefined> {
  const result = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: metaKey(studyKey), ConsistentRead: true }));
  return result.Item === undefined ? undefined : toMeta(result.Item);
}

/**
 * Creates the study, refreshes its quiet period, or opens a new version when the
 * study already left RECEIVING. Optimistic: read, write with a condition on what
 * was read, re-read on conflict.
 */
export async function recordStudyArrival(ctx: TableContext, arrival: StudyArrival): Promise<StudyArrivalResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await getStudy(ctx, arrival.studyKey);
    if (current !== undefined && current.lastInstanceAt >= arrival.arrivedAt) {
      return { meta: current, opened: false }; // this (or a later) arrival is already reflected
    }
    try {
      if (current === undefined) {
        return { meta: await createStudy(ctx, arrival), opened: true };
      }
      if (current.status === StudyStatus.RECEIVING) {
        return { meta: await refreshStudy(ctx, current, arrival), opened: false };
      }
      return { meta: await openNewVersion(ctx, current, arrival), opened: true };
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw error;
      }
    }
  }
  throw new Error('Study META update kept conflicting');
}

async function createStudy(ctx: TableContext, arrival: StudyArrival): Promise<StudyMeta> {
  const meta: StudyMeta = {
    studyKey: arrival.studyKey,
    status: StudyStatus.RECEIVING,
    version: 1,
    createdAt: arrival.now,
    updatedAt: arrival.now,
    lastInstanceAt: arrival.arrivedAt,
    singleImage: arrival.singleImage,
    expectedInstances: arrival.expectedInstances,
    modality: arrival.modality,
    openedBy: arrival.instanceSk,
    firstUploadAt: arrival.arrivedAt,
    firstUploadVersion: 1,
  };
  await ctx.doc.send(new PutCommand({
    TableName: ctx.tableName,
    Item: { ...metaKey(arrival.studyKey), ...meta },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
  return meta;
}

async function refreshStudy(ctx: TableContext, current: StudyMeta, arrival: StudyArrival): Promise<StudyMeta> {
  const result = await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName,
    Key: metaKey(arrival.studyKey),
    UpdateExpression: 'SET lastInstanceAt = :arrived, updatedAt = :now, singleImage = :single'
      + (arrival.expectedInstances === undefined ? '' : ', expectedInstances = :expected'),
    ConditionExpression: '#status = :receiving AND version = :version AND lastInstanceAt < :arrived',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':arrived': arrival.arrivedAt,
      ':now': arrival.now,
      // A second image makes a study multi-image, never the reverse.
      ':single': current.singleImage && arrival.singleImage && current.openedBy === arrival.instanceSk,
      ':receiving': StudyStatus.RECEIVING,
      ':version': current.version,
      ...(arrival.expectedInstances === undefined ? {} : { ':expected': arrival.expectedInstances }),
    },
    ReturnValues: 'ALL_NEW',
  }));
  return toMeta(result.Attributes ?? {});
}

async function openNewVersion(ctx: TableContext, current: StudyMeta, arrival: StudyArrival): Promise<StudyMeta> {
  const result = await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName,
    Key: metaKey(arrival.studyKey),
    UpdateExpression: 'SET #status = :receiving, version = :next, lastInstanceAt = :arrived, updatedAt = :now, '
      + 'openedBy = :instance, singleImage = :single, firstUploadAt = :arrived, firstUploadVersion = :next '
      + `REMOVE reviewDecision, ${ReviewQueueAttr.QUEUE}, ${ReviewQueueAttr.RANK}`,
    ConditionExpression: '#status = :seen AND version = :version',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':receiving': StudyStatus.RECEIVING,
      ':next': current.version + 1,
      ':arrived': arrival.arrivedAt,
      ':now': arrival.now,
      ':instance': arrival.instanceSk,
      ':single': false, // the study now holds more than one instance
      ':seen': current.status,
      ':version': current.version,
    },
    ReturnValues: 'ALL_NEW',
  }));
  return toMeta(result.Attributes ?? {});
}

/** Counts one newly recorded instance; returns the study's count. */
export async function countNewInstance(ctx: TableContext, studyKey: string): Promise<number> {
  const result = await ctx.doc.send(new UpdateCommand({
    TableName: ctx.tableName,
    Key: metaKey(studyKey),
    UpdateExpression: 'ADD instanceCount :one',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeValues: { ':one': 1 },
    ReturnValues: 'UPDATED_NEW',
  }));
  return Number(result.Attributes?.instanceCount ?? 0);
}

/**
 * Notes that "Study Received" went out for `version`, so a redelivered message
 * re-announces only when the first attempt crashed before publishing.
 */
export async function markStudyAnnounced(ctx: TableContext, studyKey: string, version: number): Promise<void> {
  try {
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: metaKey(studyKey),
      UpdateExpression: 'SET announcedVersion = :version',
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': version },
    }));
  } catch (error) {
    if (!isConditionFailure(error)) {
      throw error; // a newer version exists: its own first instance announces it
    }
  }
}

export interface StatusTransition {
  readonly studyKey: string;
  readonly version: number;
  readonly from: readonly StudyStatusValue[];
  readonly to: StudyStatusValue;
  readonly now: string;
  /** Extra attributes to set with the move (e.g. the review decision). */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The review queue keys a transition writes: set when the study enters
 * IN_REVIEW with its priority and deadline (the review request), removed when
 * it moves to any other status; other moves within IN_REVIEW leave them.
 */
function reviewQueueUpdate(transition: StatusTransition): { sets: string[]; removes: string[]; values: Record<string, string> } {
  if (transition.to !== StudyStatus.IN_REVIEW) return { sets: [], removes: [ReviewQueueAttr.QUEUE, ReviewQueueAttr.RANK], values: {} };
  const { priority, reviewDeadline } = transition.attributes ?? {};
  if (typeof priority !== 'string' || typeof reviewDeadline !== 'string') return { sets: [], removes: [], values: {} };
  return {
    sets: [`${ReviewQueueAttr.QUEUE} = :queue`, `${ReviewQueueAttr.RANK} = :rank`],
    removes: [],
    values: { ':queue': REVIEW_QUEUE, ':rank': reviewRank(priority, reviewDeadline, transition.studyKey) },
  };
}

/**
 * Moves the study of `version` from one of `from` to `to`. Returns false (and
 * changes nothing) when the study is in another status or another version.
 */
export async function transitionStudy(ctx: TableContext, transition: StatusTransition): Promise<boolean> {
  return await sendTransition(ctx, transition, false) !== false;
}

/**
 * `transitionStudy` that also returns the study META as the move left it (the
 * same one write), or undefined when the move was refused.
 */
export async function transitionStudyReturning(ctx: TableContext, transition: StatusTransition): Promise<StudyMeta | undefined> {
  const moved = await sendTransition(ctx, transition, true);
  return moved === false ? undefined : toMeta(moved ?? {});
}

/** The item as the move left it (when asked for), or false when the move was refused. */
type TransitionOutcome = Record<string, unknown> | undefined | false;

async function sendTransition(ctx: TableContext, transition: StatusTransition, returnMeta: boolean): Promise<TransitionOutcome> {
  const queue = reviewQueueUpdate(transition);
  const values: Record<string, unknown> = { ':to': transition.to, ':now': transition.now, ':version': transition.version, ...queue.values };
  const fromNames = transition.from.map((status, index) => {
    values[`:from${index}`] = status;
    return `:from${index}`;
  });
  const extraSets = Object.entries(transition.attributes ?? {}).map(([, value], index) => {
    values[`:extra${index}`] = value;
    return `#extra${index} = :extra${index}`;
  });
  const extraNames = Object.fromEntries(Object.keys(transition.attributes ?? {}).map((name, index) => [`#extra${index}`, name]));
  const remove = queue.removes.length === 0 ? '' : ` REMOVE ${queue.removes.join(', ')}`;
  try {
    const output = await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: metaKey(transition.studyKey),
      UpdateExpression: ['SET #status = :to', 'updatedAt = :now', ...extraSets, ...queue.sets].join(', ') + remove,
      ConditionExpression: `version = :version AND #status IN (${fromNames.join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...extraNames },
      ExpressionAttributeValues: values,
      ...(returnMeta ? { ReturnValues: 'ALL_NEW' as const } : {}),
    }));
    return output.Attributes;
  } catch (error) {
    if (isConditionFailure(error)) {
      return false;
    }
    throw error;
  }
}

/** Import statuses after which a version's record only changes by being written again as it is. */
const FINAL_IMPORT_STATUSES = [HealthImagingStatus.COMPLETED, HealthImagingStatus.PARTIAL, HealthImagingStatus.FAILED, HealthImagingStatus.SKIPPED];

/**
 * Records a study version's HealthImaging import on the study META. Never
 * replaces the record of a newer version, nor a final status of the same
 * version with another status; writing the same final status again is allowed
 * (a retried step then announces it again). Leaves `updatedAt` alone: it orders
 * the status index and the sweeper's grace periods. Returns false when refused.
 */
export async function recordHealthImagingImport(ctx: TableContext, studyKey: string, record: HealthImagingImportRecord): Promise<boolean> {
  const finals = Object.fromEntries(FINAL_IMPORT_STATUSES.map((status, index) => [`:final${index}`, status]));
  try {
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: metaKey(studyKey),
      UpdateExpression: 'SET #hi = :record',
      ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#hi) OR #hi.#version < :version OR (#hi.#version = :version'
        + ` AND (NOT (#hi.#status IN (${Object.keys(finals).join(', ')})) OR #hi.#status = :status)))`,
      ExpressionAttributeNames: { '#hi': 'healthImaging', '#version': 'version', '#status': 'status' },
      ExpressionAttributeValues: { ':record': record, ':version': record.version, ':status': record.status, ...finals },
    }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) {
      return false;
    }
    throw error;
  }
}

/** A study instance whose de-identified DICOM (Part 10) is stored. */
export interface StudyDicomObject {
  readonly seriesKey: string;
  readonly instanceKey: string;
  /** Key of the de-identified DICOM in the derived-images bucket. */
  readonly dicomKey: string;
}

export interface StudyDicomPage {
  readonly objects: readonly StudyDicomObject[];
  /** Pass back to read the next page; undefined after the last one. */
  readonly cursor?: string;
}

/**
 * One page (up to `limit` instances read) of a study's instances that have a
 * de-identified DICOM, in sort-key order, after `cursor`. A page may hold no
 * object and still have a cursor (the filter applies after the limit).
 */
export async function listStudyDicomPage(ctx: TableContext, studyKey: string, cursor: string | undefined, limit: number): Promise<StudyDicomPage> {
  const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
    TableName: ctx.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    FilterExpression: 'attribute_exists(dicomKey)',
    ProjectionExpression: 'seriesKey, instanceKey, dicomKey',
    ExpressionAttributeValues: { ':pk': studyPk(studyKey), ':prefix': INSTANCE_SK_PREFIX },
    ConsistentRead: true,
    Limit: limit,
    ExclusiveStartKey: cursor === undefined ? undefined : { PK: studyPk(studyKey), SK: cursor },
  }));
  const objects = (page.Items ?? []).filter((item) =>
    typeof item.dicomKey === 'string' && typeof item.seriesKey === 'string' && typeof item.instanceKey === 'string') as StudyDicomObject[];
  const next = page.LastEvaluatedKey?.SK;
  return { objects, cursor: typeof next === 'string' ? next : undefined };
}

/** All studies in one status (StatusIndex), oldest update first. */
export async function listStudiesByStatus(ctx: TableContext, status: StudyStatusValue): Promise<StudyMeta[]> {
  const studies: StudyMeta[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      IndexName: STATUS_INDEX_NAME,
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
      ExclusiveStartKey: startKey,
    }));
    studies.push(...(page.Items ?? []).map(toMeta));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return studies;
}

export interface ReviewQueuePage {
  /** Studies awaiting review: STAT first, then URGENT, then ROUTINE; within a priority the earliest deadline first. */
  readonly studies: StudyMeta[];
  /** True when more studies wait beyond `limit`. */
  readonly truncated: boolean;
}

/** The first `limit` studies awaiting review, in worklist order, read from the review queue index. */
export async function listReviewQueue(ctx: TableContext, limit: number): Promise<ReviewQueuePage> {
  const studies: StudyMeta[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      IndexName: REVIEW_QUEUE_INDEX_NAME,
      KeyConditionExpression: '#queue = :queue',
      ExpressionAttributeNames: { '#queue': ReviewQueueAttr.QUEUE },
      ExpressionAttributeValues: { ':queue': REVIEW_QUEUE },
      Limit: limit + 1 - studies.length,
      ExclusiveStartKey: startKey,
    }));
    studies.push(...(page.Items ?? []).map(toMeta));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && studies.length <= limit);
  return { studies: studies.slice(0, limit), truncated: studies.length > limit };
}

/** How many studies await review (a COUNT query on the review queue index). */
export async function countReviewQueue(ctx: TableContext): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ctx.doc.send(new QueryCommand({
      TableName: ctx.tableName,
      IndexName: REVIEW_QUEUE_INDEX_NAME,
      Select: 'COUNT',
      KeyConditionExpression: '#queue = :queue',
      ExpressionAttributeNames: { '#queue': ReviewQueueAttr.QUEUE },
      ExpressionAttributeValues: { ':queue': REVIEW_QUEUE },
      ExclusiveStartKey: startKey,
    }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

function toMeta(item: Record<string, unknown>): StudyMeta {
  const { PK: _pk, SK: _sk, [ReviewQueueAttr.QUEUE]: _queue, [ReviewQueueAttr.RANK]: _rank, ...rest } = item;
  return rest as unknown as StudyMeta;
}
