/**
 * When a study is complete enough to analyse. Pure: the caller supplies the
 * study META, the instance count and the clock.
 */

export interface ReadinessInput {
  /** Study status; only RECEIVING studies can become ready. */
  readonly status: string;
  /** One plain image (PNG/JPEG, or a lone DICOM image): ready at once. */
  readonly singleImage?: boolean;
  /** Instance count the sender announced, when known. */
  readonly expectedInstances?: number;
  /** ISO-8601 arrival time of the newest instance. */
  readonly lastInstanceAt: string;
}

export type ReadinessReason =
  | 'NOT_RECEIVING'
  | 'SINGLE_IMAGE'
  | 'EXPECTED_COUNT_REACHED'
  | 'QUIET_PERIOD_ELAPSED'
  | 'WAITING';

export interface Readiness {
  readonly ready: boolean;
  readonly reason: ReadinessReason;
}

export function checkStudyReadiness(
  meta: ReadinessInput,
  instanceCount: number,
  now: Date,
  quietPeriodSeconds: number,
): Readiness {
  if (meta.status !== 'RECEIVING') {
    return { ready: false, reason: 'NOT_RECEIVING' };
  }
  if (meta.singleImage === true) {
    return { ready: true, reason: 'SINGLE_IMAGE' };
  }
  if (meta.expectedInstances !== undefined && meta.expectedInstances > 0 && instanceCount >= meta.expectedInstances) {
    return { ready: true, reason: 'EXPECTED_COUNT_REACHED' };
  }
  const lastArrival = Date.parse(meta.lastInstanceAt);
  // An unreadable timestamp must not hold a study forever: treat it as long ago.
  const quietMs = Number.isNaN(lastArrival) ? Infinity : now.getTime() - lastArrival;
  if (instanceCount > 0 && quietMs >= quietPeriodSeconds * 1000) {
    return { ready: true, reason: 'QUIET_PERIOD_ELAPSED' };
  }
  return { ready: false, reason: 'WAITING' };
}

export function isStudyReady(meta: ReadinessInput, instanceCount: number, now: Date, quietPeriodSeconds: number): boolean {
  return checkStudyReadiness(meta, instanceCount, now, quietPeriodSeconds).ready;
}
