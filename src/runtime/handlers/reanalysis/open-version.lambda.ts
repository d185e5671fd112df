/** Re-analysis step "Open version": one past study -> its next version, READY for the analysis workflow. */
import { EnvVar } from '../../../shared/env';
import * as clients from '../../lambda/clients';
import { requireEnv } from '../../lambda/env';
import { lazy } from '../../lambda/lazy';
import { createSafeLog, SafeLog } from '../../lambda/logger';
import { OpenedVersion, openReanalysisVersion, OpenVersionDeps, OpenVersionInput } from '../../steps/reanalysis-open';

export function handleOpenVersion(deps: OpenVersionDeps & { readonly log: SafeLog }) {
  return async (input: OpenVersionInput): Promise<OpenedVersion> => {
    const opened = await openReanalysisVersion(deps, input);
    deps.log.info('Re-analysis version opened', { studyKey: opened.studyKey, version: opened.version });
    return opened;
  };
}

const wired = lazy(() => handleOpenVersion({
  table: { doc: clients.documentClient(), tableName: requireEnv(EnvVar.TABLE_NAME) },
  s3: clients.s3Client(),
  derivedBucket: requireEnv(EnvVar.DERIVED_BUCKET),
  log: createSafeLog('reanalysis-open-version'),
}));

export const handler = (input: OpenVersionInput): Promise<OpenedVersion> => wired()(input);
