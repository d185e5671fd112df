/**
 * Names of the environment variables the constructs set and the handlers read.
 * One list, so the two sides cannot drift apart.
 */
export const EnvVar = {
  TABLE_NAME: 'TABLE_NAME',
  UPLOAD_BUCKET: 'UPLOAD_BUCKET',
  UPLOAD_PREFIX: 'UPLOAD_PREFIX',
  QUARANTINE_PREFIX: 'QUARANTINE_PREFIX',
  ORIGINAL_HANDLING: 'ORIGINAL_HANDLING',
  ARCHIVE_PREFIX: 'ARCHIVE_PREFIX',
  DERIVED_BUCKET: 'DERIVED_BUCKET',
  REPORTS_BUCKET: 'REPORTS_BUCKET',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  TOPIC_ARN: 'TOPIC_ARN',
  /** Link to a study put into notifications, with `{studyKey}` and `{version}` placeholders (unset: no link). */
  STUDY_LINK_TEMPLATE: 'STUDY_LINK_TEMPLATE',
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  /** JSON list of the analysis workflow's analyzer names (what a re-analysis may ask for). */
  ANALYZER_NAMES: 'ANALYZER_NAMES',
  PSEUDONYM_SECRET_ARN: 'PSEUDONYM_SECRET_ARN',
  QUIET_PERIOD_SECONDS: 'QUIET_PERIOD_SECONDS',
  /** How long a study may be ANALYZING before the sweeper looks up its execution. */
  ANALYZING_GRACE_SECONDS: 'ANALYZING_GRACE_SECONDS',
  MAX_OBJECT_BYTES: 'MAX_OBJECT_BYTES',
  /** The ingest queue; an `Analysis Requested` prefix fans out into it. */
  INGEST_QUEUE_URL: 'INGEST_QUEUE_URL',
  /** JSON list of `{bucket, prefix}` an `Analysis Requested` event may point at, beside the upload prefix. */
  REFERENCED_SOURCES: 'REFERENCED_SOURCES',
  /** Objects one `Analysis Requested` prefix may fan out to. */
  MAX_OBJECTS_PER_REQUEST: 'MAX_OBJECTS_PER_REQUEST',
  /** JSON of a built-in AI analyzer's settings (model, prompt, limits; see src/core/service-answers/settings.ts). */
  ANALYZER_SETTINGS: 'ANALYZER_SETTINGS',
  /** Seconds a presigned preview URL of the review API stays valid. */
  PREVIEW_URL_EXPIRY_SECONDS: 'PREVIEW_URL_EXPIRY_SECONDS',
  /** JSON of the de-identification settings (see src/core/deid/settings.ts). */
  DEIDENTIFICATION: 'DEIDENTIFICATION',
  /** The HealthImaging import state machine; ingest and the sweeper start it when a study is ready (unset: no import). */
  HEALTH_IMAGING_STATE_MACHINE_ARN: 'HEALTH_IMAGING_STATE_MACHINE_ARN',
  /** The HealthImaging data store imports go to (its id, not its ARN). */
  HEALTH_IMAGING_DATASTORE_ID: 'HEALTH_IMAGING_DATASTORE_ID',
  /** The role HealthImaging assumes to read the staged DICOM and write the job output. */
  HEALTH_IMAGING_ROLE_ARN: 'HEALTH_IMAGING_ROLE_ARN',
  /** The bucket the study DICOM is staged in and import jobs write their output to. */
  HEALTH_IMAGING_BUCKET: 'HEALTH_IMAGING_BUCKET',
} as const;

export type EnvVarName = (typeof EnvVar)[keyof typeof EnvVar];
