/** HealthImaging import steps "Record result" / "Record failure" / "Record no DICOM": the outcome on the study, and its event. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog } from '../../lambda/logger';
import { Recorded, RecordRequest } from '../../steps/health-imaging/import-state';
import { recordImport, RecordImportDeps } from '../../steps/health-imaging/record-import';

export function handleRecordImport(deps: RecordImportDeps) {
  return (request: RecordRequest): Promise<Recorded> => recordImport(deps, request);
}

const wired = lazy(() => handleRecordImport({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  stagingBucket: requireEnv(EnvVar.HEALTH_IMAGING_BUCKET),
  events: { client: clients.eventBridgeClient(), busName: requireEnv(EnvVar.EVENT_BUS_NAME) },
  log: createSafeLog('health-imaging-record'),
}));

export const handler = (request: RecordRequest): Promise<Recorded> => wired()(request);
