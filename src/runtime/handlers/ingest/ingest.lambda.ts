/**
 * Ingest Lambda: SQS batch of EventBridge "Object Created" events. Each record
 * is one uploaded object; failures are reported per record (partial batch).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { executionStarterFromEnv } from './execution-starter';
import { deidentificationSettingsFromJson } from '../../../core/deid/settings';
import { isRejection, prepareObject } from '../../../core/preparation';
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { numberEnv, optionalEnv, requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, errorName } from '../../lambda/logger';
import { createPipelineMetrics, PipelineMetrics } from '../../lambda/metrics';
import { secretsManagerKeyLoader } from '../../lambda/pseudonym-key';
import { recordIngestOutcome } from '../../steps/ingest-metrics';
import { ingestObject, IngestDeps } from '../../steps/ingest-object';
import { parseObjectCreated } from '../../steps/s3-event';

/** Default size limit when MAX_OBJECT_BYTES is unset (512 MiB). */
const DEFAULT_MAX_OBJECT_BYTES = 512 * 2 ** 20;

export function handleIngestBatch(deps: IngestDeps, metrics: PipelineMetrics = createPipelineMetrics('ingest')) {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    try {
      const result = await ingestObject(deps, parseObjectCreated(record.body));
      deps.log.info('Object processed', { status: result.outcome, ...result });
      recordIngestOutcome(metrics, result);
    } catch (error) {
      deps.log.error('Object processing failed; the message will be redelivered', { errorName: errorName(error) });
      throw error;
    }
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    try {
      return await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
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
  return handleIngestBatch({
    table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
    s3: clients.s3Client(),
    events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
    starter: executionStarterFromEnv(),
    loadPseudonymKey: secretsManagerKeyLoader(clients.secretsManagerClient(), requireEnv(EnvVar.PSEUDONYM_SECRET_ARN)),
    prepare: prepareObject,
    isRejection,
    settings: {
      uploadPrefix: optionalEnv(EnvVar.UPLOAD_PREFIX) ?? '',
      quarantinePrefix: optionalEnv(EnvVar.QUARANTINE_PREFIX) ?? 'quarantine/',
      derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
      maxObjectBytes: numberEnv(EnvVar.MAX_OBJECT_BYTES, DEFAULT_MAX_OBJECT_BYTES),
      quietPeriodSeconds: numberEnv(EnvVar.QUIET_PERIOD_SECONDS, 300),
      deidentification: deidentificationSettingsFromJson(optionalEnv(EnvVar.DEIDENTIFICATION)),
    },
    log: createSafeLog('ingest'),
  });
});

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => wired()(event, context);
