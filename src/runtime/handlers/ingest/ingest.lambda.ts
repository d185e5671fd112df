/**
 * Ingest Lambda: SQS batch of EventBridge "Object Created" events (one uploaded
 * object each) and "Analysis Requested" events (a stored object or prefix);
 * failures are reported per record (partial batch).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { executionStarterFromEnv } from './execution-starter';
import { readableSourcesFromJson } from '../../../core/analysis-requests';
import { deidentificationSettingsFromJson } from '../../../core/deid/settings';
import { isRejection, prepareObject } from '../../../core/preparation';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { numberEnv, optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, errorName } from '../../lambda/logger';
import { createPipelineMetrics, PipelineMetrics } from '../../lambda/metrics';
import { secretsManagerKeyLoader } from '../../lambda/pseudonym-key';
import { DEFAULT_ACCEPTED_ORIGINALS, originalHandlingFrom } from '../../steps/accepted-original';
import { recordIngestOutcome } from '../../steps/ingest-metrics';
import { ingestObject } from '../../steps/ingest-object';
import { ingestRequested, ReferencedInputDeps } from '../../steps/referenced-input';
import { parseIngestMessage } from '../../steps/s3-event';

/** Default size limit when MAX_OBJECT_BYTES is unset (512 MiB). */
const DEFAULT_MAX_OBJECT_BYTES = 512 * 2 ** 20;

/** Objects one `Analysis Requested` prefix may fan out to when MAX_OBJECTS_PER_REQUEST is unset. */
const DEFAULT_MAX_OBJECTS_PER_REQUEST = 10_000;

export function handleIngestBatch(deps: ReferencedInputDeps, metrics: PipelineMetrics = createPipelineMetrics()) {
  const recordHandlerFor = (invocationDeps: ReferencedInputDeps) => async (record: SQSRecord): Promise<void> => {
    try {
      const message = parseIngestMessage(record.body);
      const result = message.kind === 'UPLOADED' ? await ingestObject(invocationDeps, message.object) : await ingestRequested(invocationDeps, message);
      invocationDeps.log.info('Object processed', { status: result.outcome, ...result });
      recordIngestOutcome(metrics, result);
    } catch (error) {
      invocationDeps.log.error('Object processing failed; the message will be redelivered', { errorName: errorName(error) });
      throw error;
    }
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    try {
      // Each object's time budget comes from what is left of this invocation.
      const invocation = context === undefined ? deps : { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() };
      return await processPartialResponse(event, recordHandlerFor(invocation), new BatchProcessor(EventType.SQS), {
        context,
        // One object at a time keeps memory bounded by one image; batch size sets throughput.
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.flush();
    }
  };
}

const wired = lazy(() => {
  const uploadBucket = requireEnv(EnvVar.UPLOAD_BUCKET);
  const uploadPrefix = optionalEnv(EnvVar.UPLOAD_PREFIX) ?? '';
  const quarantinePrefix = optionalEnv(EnvVar.QUARANTINE_PREFIX) ?? 'quarantine/';
  return handleIngestBatch({
    table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
    s3: clients.s3Client(),
    events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
    starter: executionStarterFromEnv(),
    loadPseudonymKey: secretsManagerKeyLoader(clients.secretsManagerClient(), requireEnv(EnvVar.PSEUDONYM_SECRET_ARN)),
    prepare: prepareObject,
    isRejection,
    settings: {
      uploadPrefix,
      quarantinePrefix,
      derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
      maxObjectBytes: numberEnv(EnvVar.MAX_OBJECT_BYTES, DEFAULT_MAX_OBJECT_BYTES),
      quietPeriodSeconds: numberEnv(EnvVar.QUIET_PERIOD_SECONDS, 300),
      deidentification: deidentificationSettingsFromJson(optionalEnv(EnvVar.DEIDENTIFICATION)),
      // Set by Lambda: the function's memory bounds what one object may decode.
      memoryLimitMb: lambdaMemoryMb(),
      acceptedOriginals: {
        handling: originalHandlingFrom(optionalEnv(EnvVar.ORIGINAL_HANDLING)),
        archivePrefix: optionalEnv(EnvVar.ARCHIVE_PREFIX) ?? DEFAULT_ACCEPTED_ORIGINALS.archivePrefix,
      },
    },
    queue: { client: clients.sqsClient(), queueUrl: requireEnv(EnvVar.INGEST_QUEUE_URL) },
    referenced: {
      sources: [{ bucket: uploadBucket, prefix: uploadPrefix }, ...readableSourcesFromJson(optionalEnv(EnvVar.REFERENCED_SOURCES))],
      excluded: [{ bucket: uploadBucket, prefix: quarantinePrefix }],
      maxObjectsPerPrefix: numberEnv(EnvVar.MAX_OBJECTS_PER_REQUEST, DEFAULT_MAX_OBJECTS_PER_REQUEST),
    },
    log: createSafeLog('ingest'),
  });
});

function lambdaMemoryMb(): number | undefined {
  const value = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => wired()(event, context);
