import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REVIEW_TIMED_OUT, StatePath } from './workflow-paths';
import { DetailType, EVENT_SOURCE } from '../../shared/events';
import { ClinicianNotifier } from '../notifier/clinician-notifier';

export interface ReviewStepProps {
  readonly notifier: ClinicianNotifier;
  readonly timeout: Duration;
  /** Where an unexpected error (or SendTaskFailure) goes. */
  readonly onFailure: sfn.IChainable;
  /** What follows a decision, or a timeout. */
  readonly next: sfn.IChainable;
}

/**
 * Publish "Review Required" with a task token and wait for the clinician's
 * answer at `$.review`. A timeout persists the results anyway with decision
 * TIMED_OUT (the report stays preliminary); SendTaskFailure fails the study.
 */
export function reviewStep(scope: Construct, props: ReviewStepProps): sfn.IChainable {
  const review = new tasks.EventBridgePutEvents(scope, 'ReviewRequired', {
    stateName: 'Review required',
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    entries: [{
      eventBus: props.notifier.eventBus,
      source: EVENT_SOURCE,
      detailType: DetailType.REVIEW_REQUIRED,
      detail: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
        taskToken: sfn.JsonPath.taskToken,
        findingCount: sfn.JsonPath.numberAt('$.aggregate.findingCount'),
      }),
    }],
    taskTimeout: sfn.Timeout.duration(props.timeout),
    resultPath: StatePath.REVIEW,
  });
  const timedOut = new sfn.Pass(scope, 'ReviewTimedOut', {
    stateName: 'Review timed out',
    result: sfn.Result.fromObject({ decision: REVIEW_TIMED_OUT }),
    resultPath: StatePath.REVIEW,
  }).next(props.next);
  review.addCatch(timedOut, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
  review.addCatch(props.onFailure, { errors: [sfn.Errors.ALL], resultPath: StatePath.ERROR });
  return review.next(props.next);
}
