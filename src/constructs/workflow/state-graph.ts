import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { analyzerBranch } from './analyzer-branch';
import { reviewStep } from './review-step';
import { WorkflowStepFunctions } from './step-functions';
import { StatePath, STUDY_FAILED_ERROR } from './workflow-paths';
import { WorkflowSettings } from './workflow-settings';
import { DetailType } from '../../shared/events';
import { AnalyzerBinding } from '../analyzers/image-analyzer';
import { lambdaStep } from '../analyzers/lambda-step';
import { ClinicianNotifier } from '../notifier/clinician-notifier';

export interface StateGraphProps {
  readonly functions: WorkflowStepFunctions;
  readonly analyzers: readonly AnalyzerBinding[];
  readonly notifier: ClinicianNotifier;
  readonly settings: WorkflowSettings;
}

/**
 * The definition of one study version's execution:
 *
 * Select images -> Run analyzers (parallel; a failing analyzer becomes a FAILED
 * result) -> Aggregate findings -> Needs review? -> (Review required: wait for a
 * clinician with a task token | Auto release) -> Persist results -> Notify
 * outcome -> Done. Any other error -> Mark failed -> Study failed.
 */
export function buildStateGraph(scope: Construct, props: StateGraphProps): sfn.IChainable {
  const { functions, settings } = props;

  // ---- Failure path: every main-chain step ends here on an unhandled error.
  const studyFailed = new sfn.Fail(scope, 'StudyFailed', {
    stateName: 'Study failed',
    error: STUDY_FAILED_ERROR,
    cause: 'The study was marked FAILED; the execution history holds the error.',
  });
  const markFailedStep = lambdaStep(scope, 'MarkFailed', {
    fn: functions.markFailed,
    stateName: 'Mark failed',
    payload: sfn.TaskInput.fromObject({
      studyKey: sfn.JsonPath.stringAt('$.studyKey'),
      version: sfn.JsonPath.numberAt('$.version'),
      error: sfn.JsonPath.objectAt(StatePath.ERROR),
    }),
    resultPath: sfn.JsonPath.DISCARD,
  }).next(studyFailed);
  const onError = <T extends sfn.TaskStateBase | sfn.Parallel>(state: T): T => {
    state.addCatch(markFailedStep, { errors: [sfn.Errors.ALL], resultPath: StatePath.ERROR });
    return state;
  };

  // ---- Main chain.
  const selectStep = onError(lambdaStep(scope, 'SelectImages', {
    fn: functions.selectImages,
    stateName: 'Select images',
    payload: sfn.TaskInput.fromObject({
      studyKey: sfn.JsonPath.stringAt('$.studyKey'),
      version: sfn.JsonPath.numberAt('$.version'),
    }),
    resultPath: StatePath.STUDY,
  }));

  const runAnalyzers = new sfn.Parallel(scope, 'RunAnalyzers', {
    stateName: 'Run analyzers',
    resultPath: StatePath.RESULTS,
  });
  props.analyzers.forEach((binding, index) => runAnalyzers.branch(analyzerBranch(scope, binding, index)));
  onError(runAnalyzers);

  const aggregateStep = onError(lambdaStep(scope, 'AggregateFindings', {
    fn: functions.aggregateFindings,
    stateName: 'Aggregate findings',
    payload: sfn.TaskInput.fromObject({
      results: sfn.JsonPath.listAt(StatePath.RESULTS),
      autoReleaseThreshold: settings.autoReleaseThreshold,
      studyRequiresReview: sfn.JsonPath.stringAt('$.study.requiresReview'),
    }),
    resultPath: StatePath.AGGREGATE,
  }));

  const persistStep = onError(lambdaStep(scope, 'PersistResults', {
    fn: functions.persistResults,
    stateName: 'Persist results',
    // No payload: the function receives the whole state (WorkflowStateWithResults).
    resultPath: StatePath.PERSISTED,
  }));
  const notifyStep = onError(lambdaStep(scope, 'NotifyOutcome', {
    fn: functions.notifyOutcome,
    stateName: 'Notify outcome',
    payload: sfn.TaskInput.fromObject({
      studyKey: sfn.JsonPath.stringAt('$.studyKey'),
      version: sfn.JsonPath.numberAt('$.version'),
      aggregate: sfn.JsonPath.objectAt(StatePath.AGGREGATE),
      persisted: sfn.JsonPath.objectAt(StatePath.PERSISTED),
      detailType: DetailType.ANALYSIS_COMPLETED,
    }),
    resultPath: sfn.JsonPath.DISCARD,
  }));
  persistStep.next(notifyStep);
  notifyStep.next(new sfn.Succeed(scope, 'Done', { stateName: 'Done' }));

  const afterAggregate: sfn.IChainable = settings.reviewEnabled
    ? new sfn.Choice(scope, 'NeedsReview', { stateName: 'Needs review?' })
      .when(sfn.Condition.booleanEquals('$.aggregate.reviewRequired', true), reviewStep(scope, {
        notifier: props.notifier,
        timeout: settings.reviewTimeout,
        onFailure: markFailedStep,
        next: persistStep,
      }))
      .otherwise(new sfn.Pass(scope, 'AutoRelease', { stateName: 'Auto release' }).next(persistStep))
    : persistStep;

  return selectStep.next(runAnalyzers).next(aggregateStep).next(afterAggregate);
}
