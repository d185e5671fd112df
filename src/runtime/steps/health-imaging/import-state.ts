/**
 * The state of one HealthImaging import execution (see the construct's
 * definition in src/constructs/health-imaging/health-imaging-states.ts). It
 * holds keys, counts and codes only: never file names or the image list.
 */
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { HealthImagingStatusValue } from '../../../shared/records';

/** How far the copy of the study's DICOM to the staging prefix has come. */
export interface StagingProgress {
  /** Files staged so far. */
  readonly staged: number;
  /** Invocations of the staging step so far (bounded by the definition). */
  readonly rounds: number;
  readonly done: boolean;
  /** Sort key of the last instance read when a round ran short of time. */
  readonly cursor?: string;
}

export interface ImportJobState {
  readonly jobId: string;
  /** SUBMITTED | IN_PROGRESS | COMPLETED | FAILED */
  readonly status: string;
  /** Status checks so far (bounded by the definition). */
  readonly polls: number;
  /** The job's own output location, as GetDICOMImportJob reports it. */
  readonly outputS3Uri?: string;
}

export interface ImportState {
  readonly studyKey: string;
  readonly version: number;
  readonly staging?: StagingProgress;
  readonly job?: ImportJobState;
  /** Set by the definition on the failure path (a `HealthImagingFailureReason`). */
  readonly reasonCode?: string;
  /** What a Catch caught; only `Error` (the error name) is ever used. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

export const RecordKind = {
  /** The job finished: read its output and record the outcome. */
  RESULT: 'RESULT',
  /** A step failed or the job did not finish: record FAILED with the reason code. */
  FAILURE: 'FAILURE',
  /** The study holds no DICOM: record SKIPPED. */
  NO_DICOM: 'NO_DICOM',
} as const;
export type RecordKindValue = (typeof RecordKind)[keyof typeof RecordKind];

export interface RecordRequest {
  readonly kind: RecordKindValue;
  readonly state: ImportState;
}

export interface Recorded {
  readonly status: HealthImagingStatusValue;
}

/** The data store and the role HealthImaging assumes for the job. */
export interface ImportTarget {
  readonly client: MedicalImagingClient;
  readonly datastoreId: string;
  readonly dataAccessRoleArn: string;
}

/** A step was given a state it cannot act on (a definition bug, not bad data). */
export class ImportStateError extends Error {
  constructor(problem: string) {
    super(`Invalid import state: ${problem}`);
    this.name = 'ImportStateError';
  }
}

const KEY = /^[A-Za-z0-9-]{1,128}$/;

/** The study key and version, checked: they become S3 key segments and names. */
export function studyVersionOf(state: ImportState): { studyKey: string; version: number } {
  if (typeof state.studyKey !== 'string' || !KEY.test(state.studyKey)) throw new ImportStateError('studyKey');
  if (!Number.isInteger(state.version) || state.version < 1) throw new ImportStateError('version');
  return { studyKey: state.studyKey, version: state.version };
}
