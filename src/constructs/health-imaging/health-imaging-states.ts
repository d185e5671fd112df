import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HealthImagingFailureReason, HealthImagingFailureReasonValue } from '../../shared/events';
import { HealthImagingStatus } from '../../shared/records';
import { lambdaStep } from '../analyzers/lambda-step';

/** The functions behind the import's steps. */
export interface ImportStepFunctions {
  readonly stage: lambda.IFunction;
  readonly start: lambda.IFunction;
  readonly check: lambda.IFunction;
  readonly record: lambda.IFunction;
}

export interface ImportDefinitionSettings {
  readonly pollInterval: Duration;
  /** Status checks before the job counts as TIMED_OUT. */
  readonly maxPolls: number;
  /** Invocations of "Stage DICOM" before staging counts as failed. */
  readonly maxStagingRounds: number;
}

/** The Fail state's error: the import was recorded PARTIAL or FAILED on the study. */
export const IMPORT_FAILED_ERROR = 'HealthImagingImportFailed';

/** Throttling and transient service errors of HealthImaging, by their SDK error names. */
const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: ['ThrottlingException', 'InternalServerException'],
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Too many import jobs running in the account, or a data store not ACTIVE yet: wait longer (about 45 minutes in all). */
const QUOTA_RETRY: sfn.RetryProps = {
  errors: ['ServiceQuotaExceededException', 'ConflictException'],
  interval: Duration.seconds(30),
  maxAttempts: 12,
  backoffRate: 2,
  maxDelay: Duration.minutes(5),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Errors that a repeat cannot change (a definition bug, an unreadable job output): straight to the failure path. */
const PERMANENT: sfn.RetryProps = { errors: ['ImportStateError', 'ImportOutputError'], maxAttempts: 0 };

/** A passing outage of S3, DynamoDB or EventBridge must not fail an import, nor lose its failure. */
const RECORD_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL],
  interval: Duration.seconds(5),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
  jitterStrategy: sfn.JitterType.FULL,
};

function step(scope: Construct, id: string, stateName: string, fn: lambda.IFunction, resultPath: string, payload?: sfn.TaskInput) {
  return lambdaStep(scope, id, { fn, stateName, resultPath, payload });
}

/**
 * One study version's import (JSONPath; the state holds keys and counts, never the file list):
 *
 * Begin -> Stage DICOM (again while it hands back a cursor, at most
 * `maxStagingRounds` times) -> nothing staged: Record no DICOM -> No DICOM; else
 * Start import -> Wait for import -> Check import -> Import finished? (COMPLETED:
 * Record result -> Imported? -> Imported | Import failed; FAILED or
 * `maxPolls` checks: a reason code -> Record failure -> Import failed). Any step
 * error sets its reason code and takes the failure path, so every execution
 * leaves the study's import COMPLETED, PARTIAL, FAILED or SKIPPED, and a
 * `HealthImaging Import Completed`/`Failed` event.
 */
export function buildImportDefinition(scope: Construct, fns: ImportStepFunctions, settings: ImportDefinitionSettings): sfn.IChainable {
  const importFailed = new sfn.Fail(scope, 'ImportFailed', {
    stateName: 'Import failed',
    error: IMPORT_FAILED_ERROR,
    cause: 'The import was recorded PARTIAL or FAILED on the study with a reason code; the execution history holds the error.',
  });
  const recordFailure = step(scope, 'RecordFailure', 'Record failure', fns.record, sfn.JsonPath.DISCARD, sfn.TaskInput.fromObject({
    kind: 'FAILURE',
    state: sfn.JsonPath.entirePayload,
  }));
  recordFailure.addRetry(RECORD_RETRY);
  recordFailure.next(importFailed);
  const reason = (id: string, stateName: string, code: HealthImagingFailureReasonValue) => new sfn.Pass(scope, id, {
    stateName,
    result: sfn.Result.fromString(code),
    resultPath: '$.reasonCode',
  }).next(recordFailure);
  const onError = <T extends sfn.TaskStateBase>(task: T, id: string, stateName: string, code: HealthImagingFailureReasonValue): T => {
    task.addCatch(reason(id, stateName, code), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return task;
  };

  // ---- Stage
  const begin = new sfn.Pass(scope, 'Begin', {
    stateName: 'Begin',
    result: sfn.Result.fromObject({ staged: 0, rounds: 0, done: false }),
    resultPath: '$.staging',
  });
  const stage = onError(step(scope, 'StageDicom', 'Stage DICOM', fns.stage, '$.staging'),
    'StagingFailed', 'Staging failed', HealthImagingFailureReason.STAGING_FAILED);
  stage.addRetry(PERMANENT);
  stage.addRetry(RECORD_RETRY);
  const stagingRoundsExceeded = new sfn.Pass(scope, 'StagingRoundsExceeded', {
    stateName: 'Staging rounds exceeded',
    result: sfn.Result.fromObject({ Error: 'StagingRoundsExceeded' }),
    resultPath: '$.error',
  }).next(reason('StagingIncomplete', 'Staging incomplete', HealthImagingFailureReason.STAGING_FAILED));
  const recordNoDicom = step(scope, 'RecordNoDicom', 'Record no DICOM', fns.record, sfn.JsonPath.DISCARD, sfn.TaskInput.fromObject({
    kind: 'NO_DICOM',
    state: sfn.JsonPath.entirePayload,
  }));
  recordNoDicom.addRetry(RECORD_RETRY);
  recordNoDicom.next(new sfn.Succeed(scope, 'NoDicom', { stateName: 'No DICOM' }));

  // ---- Import
  const start = onError(step(scope, 'StartImport', 'Start import', fns.start, '$.job'),
    'StartFailed', 'Start failed', HealthImagingFailureReason.START_FAILED);
  start.addRetry(TRANSIENT_RETRY);
  start.addRetry(QUOTA_RETRY);
  const wait = new sfn.Wait(scope, 'WaitForImport', { stateName: 'Wait for import', time: sfn.WaitTime.duration(settings.pollInterval) });
  const check = onError(step(scope, 'CheckImport', 'Check import', fns.check, '$.job'),
    'StatusCheckFailed', 'Status check failed', HealthImagingFailureReason.STATUS_CHECK_FAILED);
  check.addRetry(TRANSIENT_RETRY);

  // ---- Result
  const recordResult = onError(step(scope, 'RecordResult', 'Record result', fns.record, '$.recorded', sfn.TaskInput.fromObject({
    kind: 'RESULT',
    state: sfn.JsonPath.entirePayload,
  })), 'ResultUnreadable', 'Result unreadable', HealthImagingFailureReason.RESULT_UNREADABLE);
  recordResult.addRetry(PERMANENT);
  recordResult.addRetry(RECORD_RETRY);
  const imported = new sfn.Choice(scope, 'ImportedChoice', { stateName: 'Imported?' })
    .when(sfn.Condition.stringEquals('$.recorded.status', HealthImagingStatus.COMPLETED), new sfn.Succeed(scope, 'Imported', { stateName: 'Imported' }))
    .otherwise(importFailed);

  const finished = new sfn.Choice(scope, 'ImportFinished', { stateName: 'Import finished?' })
    .when(sfn.Condition.stringEquals('$.job.status', 'COMPLETED'), recordResult.next(imported))
    .when(sfn.Condition.stringEquals('$.job.status', 'FAILED'), reason('JobFailed', 'Job failed', HealthImagingFailureReason.JOB_FAILED))
    .when(sfn.Condition.numberGreaterThanEquals('$.job.polls', settings.maxPolls),
      reason('ImportTimedOut', 'Import timed out', HealthImagingFailureReason.TIMED_OUT))
    .otherwise(wait);

  const staged = new sfn.Choice(scope, 'StagedChoice', { stateName: 'Staged?' })
    .when(sfn.Condition.and(
      sfn.Condition.booleanEquals('$.staging.done', false),
      sfn.Condition.numberGreaterThanEquals('$.staging.rounds', settings.maxStagingRounds),
    ), stagingRoundsExceeded)
    .when(sfn.Condition.booleanEquals('$.staging.done', false), stage)
    .when(sfn.Condition.numberEquals('$.staging.staged', 0), recordNoDicom)
    .otherwise(start.next(wait).next(check).next(finished));

  return begin.next(stage).next(staged);
}
