/**
 * `Analysis Requested` events: objects already stored in a bucket the pipeline may
 * read go through the same ingest as uploads (same de-identification, dedup and
 * rejection reasons), read only. A prefix fans out into one queue message per
 * object, so each object gets its own delivery, retries and dead-letter path.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IngestDeps, IngestOutcome, ingestObject, refuse } from './ingest-object';
import { IngestMessage } from './s3-event';
import { AnalysisRequest, isReadable, ReadableSource } from '../../core/analysis-requests';
import { ANALYSIS_REQUEST_VERSION, AnalysisRequestedDetail, DetailType, EVENT_SOURCE, RejectionReason } from '../../shared/events';
import { listObjects, objectSize } from '../storage/objects';

/** The ingest queue, which a prefix request fans out into. */
export interface IngestQueue {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

export interface ReferencedInputSettings {
  /** Where requests may point: the upload prefix and every configured referenced source. */
  readonly sources: readonly ReadableSource[];
  /** Never readable through a request, even inside a source (the quarantine). */
  readonly excluded: readonly ReadableSource[];
  /** Objects one prefix request may fan out to; a larger prefix is refused as TOO_MANY_OBJECTS. */
  readonly maxObjectsPerPrefix: number;
}

export interface ReferencedInputDeps extends IngestDeps {
  readonly queue: IngestQueue;
  readonly referenced: ReferencedInputSettings;
}

export type RequestOutcome = IngestOutcome | { readonly outcome: 'FANNED_OUT'; readonly objectCount: number };

/** SendMessageBatch takes at most ten entries. */
const SQS_BATCH = 10;

export async function ingestRequested(
  deps: ReferencedInputDeps,
  message: Extract<IngestMessage, { kind: 'REQUESTED' }>,
): Promise<RequestOutcome> {
  const { request } = message;
  if (request === undefined) {
    deps.log.warn('Analysis request refused', { reasonCode: RejectionReason.INVALID_REQUEST, problem: message.problem });
    return refuse(deps, { bucket: message.bucket ?? '', key: '' }, RejectionReason.INVALID_REQUEST);
  }
  const location = { bucket: request.bucket, key: request.kind === 'OBJECT' ? request.key : request.prefix };
  if (!isReadable(request, deps.referenced.sources, deps.referenced.excluded)) {
    return refuse(deps, location, RejectionReason.SOURCE_NOT_ALLOWED);
  }
  return request.kind === 'OBJECT' ? ingestReferencedObject(deps, request) : fanOut(deps, request);
}

async function ingestReferencedObject(deps: ReferencedInputDeps, request: Extract<AnalysisRequest, { kind: 'OBJECT' }>): Promise<RequestOutcome> {
  // Sized before it is read, so an oversized object is refused without downloading it.
  const size = request.size ?? await objectSize(deps.s3, request);
  if (size === undefined) return refuse(deps, request, RejectionReason.NOT_FOUND);
  return ingestObject(deps, { bucket: request.bucket, key: request.key, size, versionId: request.versionId }, 'REFERENCED');
}

async function fanOut(deps: ReferencedInputDeps, request: Extract<AnalysisRequest, { kind: 'PREFIX' }>): Promise<RequestOutcome> {
  const { objects, truncated } = await listObjects(deps.s3, request, deps.referenced.maxObjectsPerPrefix);
  const location = { bucket: request.bucket, key: request.prefix };
  if (truncated) return refuse(deps, location, RejectionReason.TOO_MANY_OBJECTS);
  if (objects.length === 0) return refuse(deps, location, RejectionReason.NOT_FOUND);
  for (let start = 0; start < objects.length; start += SQS_BATCH) {
    const entries = objects.slice(start, start + SQS_BATCH).map((object, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(objectRequest(request.bucket, object)),
    }));
    const sent = await deps.queue.client.send(new SendMessageBatchCommand({ QueueUrl: deps.queue.queueUrl, Entries: entries }));
    // Redelivering the whole prefix is safe: ingest drops the objects it already has.
    if ((sent.Failed ?? []).length > 0) throw new Error(`Fan-out to the ingest queue failed for ${sent.Failed!.length} of ${entries.length} messages`);
  }
  return { outcome: 'FANNED_OUT', objectCount: objects.length };
}

/** The queue message for one object of a prefix: an `Analysis Requested` event as EventBridge would deliver it. */
function objectRequest(bucket: string, object: { key: string; size: number }) {
  const detail: AnalysisRequestedDetail = { version: ANALYSIS_REQUEST_VERSION, bucket, key: object.key, size: object.size };
  return { 'source': EVENT_SOURCE, 'detail-type': DetailType.ANALYSIS_REQUESTED, detail };
}
