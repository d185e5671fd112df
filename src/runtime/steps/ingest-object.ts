/**
 * Ingest of one uploaded object: prepare (validate, de-identify, render), store
 * derived images and records, announce the study, and start analysis when the
 * study is ready. Bad input is quarantined with a reason code; AWS errors are
 * thrown so the message is redelivered.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { AcceptedOriginalSettings, DEFAULT_ACCEPTED_ORIGINALS, handleAcceptedOriginal } from './accepted-original';
import { UploadedObject } from './s3-event';
import { ExecutionStarter, readyAndStart } from './start-analysis';
import { DeidentificationSettings } from '../../core/deid/settings';
import { PreparedObject } from '../../core/preparation';
import { checkStudyReadiness } from '../../core/study-readiness';
import { DetailType, RejectionReason, RejectionReasonValue } from '../../shared/events';
import { instancePrefix, instanceSk, StudyStatus } from '../../shared/records';
import { SafeLog } from '../lambda/logger';
import { PseudonymKeyLoader } from '../lambda/pseudonym-key';
import { EventPublisher, publishEvent } from '../messaging/publish';
import { TableContext } from '../storage/context';
import { countInstances, recordInstance } from '../storage/instances';
import { copyToQuarantine, deleteObject, getObjectBytes, putObjects } from '../storage/objects';
import { ObjectLocation, objectHash, recordRejection } from '../storage/rejections';
import { countNewInstance, markStudyAnnounced, recordStudyArrival } from '../storage/studies';

/** What ingest-core's prepareObject returns; injected so tests can drive failures. */
export type PreparedUpload = PreparedObject;

export type PrepareFn = (
  bytes: Uint8Array,
  options: {
    pseudonymKey: Uint8Array;
    maxObjectBytes?: number;
    deidentification?: DeidentificationSettings;
    memoryLimitMb?: number;
    deadline?: number;
  },
) => Promise<PreparedUpload>;

/** Time kept after preparation for the writes that follow (S3 puts, DynamoDB updates, events, with their retries). */
export const WRITE_RESERVE_MS = 15_000;
/** Least preparation time an object is started with; with less left, it is left for redelivery. */
export const MIN_PREPARE_BUDGET_MS = 20_000;

/** Not enough of the invocation is left to start an object: the message is redelivered (not the object's fault). */
export class InvocationTimeLow extends Error {
  constructor() {
    super('Too little invocation time left to prepare the object; it will be redelivered');
    this.name = 'InvocationTimeLow';
  }
}
export type RejectionGuard = (error: unknown) => error is { reasonCode: RejectionReasonValue };

export interface IngestSettings {
  /** Only keys under this prefix are ingested ('' = whole bucket). */
  readonly uploadPrefix: string;
  /**
   * Rejected objects move to `<quarantinePrefix><reasonCode>/<object hash>`; the
   * original key (which may name the patient) stays only in the object's metadata,
   * inside the upload bucket, so the results table never holds it.
   */
  readonly quarantinePrefix: string;
  readonly derivedBucket: string;
  readonly maxObjectBytes: number;
  readonly quietPeriodSeconds: number;
  /** De-identification of DICOM objects. @default every default of resolveDeidentificationSettings() */
  readonly deidentification?: DeidentificationSettings;
  /** What happens to an accepted upload. @default deleted (OriginalHandling.DELETE) */
  readonly acceptedOriginals?: AcceptedOriginalSettings;
  /** The function's memory in MB: bounds decoded sizes (see prepareObject's memoryLimitMb). @default no memory budget */
  readonly memoryLimitMb?: number;
}

export interface IngestDeps {
  readonly table: TableContext;
  readonly s3: S3Client;
  readonly events: EventPublisher;
  /** Absent when no state machine is wired (analysis then starts elsewhere). */
  readonly starter?: ExecutionStarter;
  readonly loadPseudonymKey: PseudonymKeyLoader;
  readonly prepare: PrepareFn;
  readonly isRejection: RejectionGuard;
  readonly settings: IngestSettings;
  readonly log: SafeLog;
  readonly clock?: () => Date;
  /** Time left in the invocation (the Lambda context's); sets each object's time budget. @default no time budget */
  readonly remainingTimeMs?: () => number;
}

/** Where an object came from: an upload (ours to quarantine and remove) or a reference (read only). */
export type ObjectOrigin = 'UPLOADED' | 'REFERENCED';

export type IngestOutcome =
  /** Outside the upload prefix, or gone before this delivery (nothing left to ingest). */
  | { readonly outcome: 'SKIPPED'; readonly reason: 'OUTSIDE_UPLOAD_PREFIX' | 'OBJECT_GONE' }
  | { readonly outcome: 'REJECTED'; readonly reasonCode: RejectionReasonValue; readonly objectHash: string }
  | {
    readonly outcome: 'ACCEPTED';
    readonly studyKey: string;
    readonly version: number;
    readonly created: boolean;
    readonly ready: boolean;
  };

class Rejected {
  constructor(readonly reasonCode: RejectionReasonValue) {}
}

/**
 * Ingests one object. A referenced object (from an `Analysis Requested` event) is
 * read only: a refusal is recorded and announced but the object is neither copied
 * to quarantine nor deleted, since it belongs to the requester.
 */
export async function ingestObject(deps: IngestDeps, object: UploadedObject, origin: ObjectOrigin = 'UPLOADED'): Promise<IngestOutcome> {
  const { settings } = deps;
  const uploaded = origin === 'UPLOADED';
  if (uploaded && (!object.key.startsWith(settings.uploadPrefix) || object.key.startsWith(settings.quarantinePrefix))) {
    return { outcome: 'SKIPPED', reason: 'OUTSIDE_UPLOAD_PREFIX' };
  }
  let prepared: PreparedUpload | undefined;
  try {
    prepared = await prepare(deps, object);
  } catch (error) {
    if (error instanceof Rejected || deps.isRejection(error)) {
      return uploaded ? quarantine(deps, object, error.reasonCode) : refuse(deps, object, error.reasonCode);
    }
    throw error;
  }
  if (prepared === undefined) {
    // An upload: a redelivered event whose object an earlier delivery already moved to quarantine.
    return uploaded ? { outcome: 'SKIPPED', reason: 'OBJECT_GONE' } : refuse(deps, object, RejectionReason.NOT_FOUND);
  }
  const accepted = await accept(deps, prepared);
  // Last: the records and derived images exist before the original goes. A referenced object is the requester's: left as it is.
  if (uploaded) {
    await handleAcceptedOriginal(deps.s3, object, settings.acceptedOriginals ?? DEFAULT_ACCEPTED_ORIGINALS,
      async () => objectHash(object, await deps.loadPseudonymKey()));
  }
  return accepted;
}

/** Records and announces a refusal without touching the object (a referenced object, or a bad request). */
export async function refuse(
  deps: Pick<IngestDeps, 'table' | 'events' | 'loadPseudonymKey' | 'clock'>,
  location: ObjectLocation & { readonly size?: number },
  reasonCode: RejectionReasonValue,
): Promise<IngestOutcome> {
  const hash = objectHash(location, await deps.loadPseudonymKey());
  await recordRejection(deps.table, {
    objectHash: hash,
    reasonCode,
    sizeBytes: location.size,
    updatedAt: (deps.clock ?? (() => new Date()))().toISOString(),
  });
  await publishEvent(deps.events, DetailType.OBJECT_REJECTED, { reasonCode, objectHash: hash });
  return { outcome: 'REJECTED', reasonCode, objectHash: hash };
}

async function prepare(deps: IngestDeps, object: UploadedObject): Promise<PreparedUpload | undefined> {
  const max = deps.settings.maxObjectBytes;
  if (object.size !== undefined && object.size > max) {
    throw new Rejected(RejectionReason.TOO_LARGE); // refuse without downloading
  }
  const bytes = await getObjectBytes(deps.s3, object);
  if (bytes === undefined) return undefined;
  if (bytes.length > max) {
    throw new Rejected(RejectionReason.TOO_LARGE);
  }
  const pseudonymKey = await deps.loadPseudonymKey();
  return deps.prepare(bytes, {
    pseudonymKey,
    maxObjectBytes: max,
    deidentification: deps.settings.deidentification,
    memoryLimitMb: deps.settings.memoryLimitMb,
    deadline: prepareDeadline(deps.remainingTimeMs),
  });
}

/** When preparation must end: the invocation's end less the write reserve. Throws `InvocationTimeLow` when too little is left. */
function prepareDeadline(remainingTimeMs: (() => number) | undefined): number | undefined {
  if (remainingTimeMs === undefined) return undefined;
  const budget = remainingTimeMs() - WRITE_RESERVE_MS;
  if (budget < MIN_PREPARE_BUDGET_MS) throw new InvocationTimeLow();
  return Date.now() + budget;
}

async function accept(deps: IngestDeps, prepared: PreparedUpload): Promise<IngestOutcome> {
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  const prefix = instancePrefix(prepared.studyKey, prepared.seriesKey, prepared.instanceKey);
  const keys = { previewKey: `${prefix}preview.png`, analysisKey: `${prefix}analysis.png`, metadataKey: `${prefix}metadata.json` };
  // The de-identified DICOM (Part 10) sits next to the previews.
  const dicomObjects = prepared.deidentifiedDicom === undefined
    ? []
    : [{ key: `${prefix}instance.dcm`, body: prepared.deidentifiedDicom, contentType: 'application/dicom' }];
  const dicomKey = dicomObjects[0]?.key;
  // Derived objects first: once the instance is recorded, its images must exist.
  await putObjects(deps.s3, deps.settings.derivedBucket, [
    { key: keys.previewKey, body: prepared.previewPng, contentType: 'image/png' },
    { key: keys.analysisKey, body: prepared.analysisPng, contentType: 'image/png' },
    { key: keys.metadataKey, body: JSON.stringify(prepared.safeMetadata), contentType: 'application/json' },
    ...dicomObjects,
  ]);
  const instance = await recordInstance(deps.table, {
    studyKey: prepared.studyKey,
    seriesKey: prepared.seriesKey,
    instanceKey: prepared.instanceKey,
    kind: prepared.kind,
    modality: prepared.modality,
    width: prepared.width,
    height: prepared.height,
    analysisWidth: prepared.analysisWidth,
    analysisHeight: prepared.analysisHeight,
    ...keys,
    sourceSha256: prepared.sourceSha256,
    burnedInAnnotation: prepared.burnedInAnnotation,
    ...(dicomKey === undefined ? {} : { dicomKey }),
    ...(prepared.requiresReview ? { requiresReview: true } : {}),
    ...prepared.routing,
    receivedAt: now,
  });
  const sk = instanceSk(prepared.seriesKey, prepared.instanceKey);
  // Runs on the duplicate path too (with the original arrival time) so a crash
  // between the two writes heals on redelivery.
  const { meta } = await recordStudyArrival(deps.table, {
    studyKey: prepared.studyKey,
    instanceSk: sk,
    arrivedAt: instance.record.receivedAt,
    singleImage: prepared.singleImage,
    expectedInstances: prepared.expectedInstances,
    modality: prepared.modality,
    now,
  });
  if (meta.openedBy === sk && meta.announcedVersion !== meta.version) {
    await publishEvent(deps.events, DetailType.STUDY_RECEIVED, {
      studyKey: meta.studyKey,
      version: meta.version,
      modality: prepared.modality,
      kind: prepared.kind,
    });
    await markStudyAnnounced(deps.table, meta.studyKey, meta.version);
  }
  // Every new instance is counted on the study as it arrives, so readiness needs no query over
  // thousands of instances; a duplicate delivery of a study with an expected count counts the slow way.
  const counted = instance.created ? await countNewInstance(deps.table, meta.studyKey) : undefined;
  const count = meta.expectedInstances === undefined ? 0 : counted ?? await countInstances(deps.table, meta.studyKey);
  const readiness = checkStudyReadiness(meta, count, new Date(now), deps.settings.quietPeriodSeconds);
  const ready = (readiness.ready || meta.status === StudyStatus.READY)
    && await readyAndStart(deps.table, deps.starter, meta, now);
  return { outcome: 'ACCEPTED', studyKey: meta.studyKey, version: meta.version, created: instance.created, ready };
}

/**
 * Copy to quarantine, record, announce, and only then delete the original, so a
 * crash at any point is repaired by the redelivered message.
 */
async function quarantine(deps: IngestDeps, object: UploadedObject, reasonCode: RejectionReasonValue): Promise<IngestOutcome> {
  const hash = objectHash(object, await deps.loadPseudonymKey());
  const quarantineKey = `${deps.settings.quarantinePrefix}${reasonCode}/${hash}`;
  await copyToQuarantine(deps.s3, object, quarantineKey, reasonCode);
  await recordRejection(deps.table, {
    objectHash: hash,
    reasonCode,
    quarantineBucket: object.bucket,
    quarantineKey,
    sizeBytes: object.size,
    updatedAt: (deps.clock ?? (() => new Date()))().toISOString(),
  });
  await publishEvent(deps.events, DetailType.OBJECT_REJECTED, { reasonCode, objectHash: hash });
  await deleteObject(deps.s3, object);
  return { outcome: 'REJECTED', reasonCode, objectHash: hash };
}
