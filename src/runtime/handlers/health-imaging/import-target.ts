/** Wiring shared by the two functions that call HealthImaging: the client, the data store and the data-access role. */
/* eslint-disable-next-line import/no-extraneous-dependencies -- bundled into the Lambda asset, never a consumer dependency */
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { EnvVar } from '../../../shared/env';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { ImportTarget } from '../../steps/health-imaging/import-state';

const client = /* @__PURE__ */ lazy(() => new MedicalImagingClient({}));

export function importTargetFromEnv(): ImportTarget {
  return {
    client: client(),
    datastoreId: requireEnv(EnvVar.HEALTH_IMAGING_DATASTORE_ID),
    dataAccessRoleArn: requireEnv(EnvVar.HEALTH_IMAGING_ROLE_ARN),
  };
}
