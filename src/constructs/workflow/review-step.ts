import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REVIEW_TIMED_OUT, StatePath } from './workflow-paths';
import { StudyPriority } from '../../shared/finding-rules';
import { STUDY_SUPERSEDED_ERROR } from '../../shared/workflow';
import { LAMBDA_SERVICE_RETRY, taskTarget } from '../analyzers/lambda-step';

/** Seconds until a held study's decision is due, by its priority. */
export type DeadlineSeconds = Record<StudyPriority, number>;

export interface ReviewStepProps {
  /** Stores the task token, moves the study IN_REVIEW and announces it. */
  readonly requestReview: lambda.IFunction;
  readonly deadlines: DeadlineSeconds;
  /** Where an unexpected error (or SendTaskFailure) goes. */
  readonly onFailure: sfn.IChainable;
  /** What follows a clinician's decision (persist, then the completed notification). */
  readonly afterDecision: sfn.IChainable;
  /** What follows a missed deadline (persist a preliminary report, then the overdue notification). */
  readonly afterDeadline: sfn.IChainable;
}

/**
 * Ask for a clinician and wait for the decision until the study's deadline
 * (by priority: one "Review required" state per priority, each with its own
 * timeout): the state invokes a function with the task token, which stores it
 * in the table, where only the review API reads it; the decision arrives at
 * `$.review`. At the deadline `$.review` is TIMED_OUT and the overdue path
 * runs; a later decision is still accepted by the API.
 */
export function reviewStep(scope: Construct, props: ReviewStepProps): sfn.IChainable {
  const overdue = new sfn.Pass(scope, 'ReviewOverdue', {
    stateName: 'Review overdue',
    result: sfn.Result.fromObject({ decision: REVIEW_TIMED_OUT }),
    resultPath: StatePath.REVIEW,
  }).next(props.afterDeadline);
  // A late instance opened a newer version while this one was held: that version's run takes over.
  const superseded = new sfn.Succeed(scope, 'ReviewSuperseded', { stateName: 'Superseded by a newer version' });
  const waitFor = (priority: StudyPriority) => {
    const seconds = props.deadlines[priority];
    const review = new tasks.LambdaInvoke(scope, `ReviewRequired${priority}`, {
      stateName: `Review required (${priority})`,
      lambdaFunction: taskTarget(props.requestReview),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
        taskToken: sfn.JsonPath.taskToken,
        aggregate: sfn.JsonPath.objectAt(StatePath.AGGREGATE),
        results: sfn.JsonPath.listAt(StatePath.RESULTS),
        deadlineSeconds: seconds,
      }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(seconds)),
      resultPath: StatePath.REVIEW,
    });
    review.addRetry(LAMBDA_SERVICE_RETRY);
    review.addCatch(overdue, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    review.addCatch(superseded, { errors: [STUDY_SUPERSEDED_ERROR], resultPath: sfn.JsonPath.DISCARD });
    review.addCatch(props.onFailure, { errors: [sfn.Errors.ALL], resultPath: StatePath.ERROR });
    return review.next(props.afterDecision);
  };
  return new sfn.Choice(scope, 'ReviewDeadline', { stateName: 'Review deadline' })
    .when(sfn.Condition.stringEquals('$.aggregate.priority', StudyPriority.STAT), waitFor(StudyPriority.STAT))
    .when(sfn.Condition.stringEquals('$.aggregate.priority', StudyPriority.URGENT), waitFor(StudyPriority.URGENT))
    .otherwise(waitFor(StudyPriority.ROUTINE));
}
