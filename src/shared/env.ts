/**
 * Names of the environment variables the constructs set and the handlers read.
 * One list, so the two sides cannot drift apart.
 */
export const EnvVar = {
  TABLE_NAME: 'TABLE_NAME',
  UPLOAD_BUCKET: 'UPLOAD_BUCKET',
  UPLOAD_PREFIX: 'UPLOAD_PREFIX',
  QUARANTINE_PREFIX: 'QUARANTINE_PREFIX',
  DERIVED_BUCKET: 'DERIVED_BUCKET',
  REPORTS_BUCKET: 'REPORTS_BUCKET',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  TOPIC_ARN: 'TOPIC_ARN',
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  PSEUDONYM_SECRET_ARN: 'PSEUDONYM_SECRET_ARN',
  QUIET_PERIOD_SECONDS: 'QUIET_PERIOD_SECONDS',
  MAX_OBJECT_BYTES: 'MAX_OBJECT_BYTES',
  AUTO_RELEASE_THRESHOLD: 'AUTO_RELEASE_THRESHOLD',
  /** JSON of the de-identification settings (see src/core/deid/settings.ts). */
  DEIDENTIFICATION: 'DEIDENTIFICATION',
} as const;

export type EnvVarName = (typeof EnvVar)[keyof typeof EnvVar];
