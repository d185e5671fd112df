import * as s3 from 'aws-cdk-lib/aws-s3';
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
  readonly derivedImagesBucket: s3.IBucket;
}

/**
 * The definition of one study version's execution:
 *
 * Select images (writes the study manifest) -> Run analyzers (parallel; each
 * plans its batches, runs them in a Map and collects one result; a failing
 * analyzer becomes a FAILED result) -> Aggregate findings (the finding rules)
 * -> Needs review? -> either Auto release -> Persist results -> Notify outcome,
 * or Review deadline (by priority) -> Review required (the task token goes to
 * the table) -> Persist reviewed results -> Notify decision, or at the
 * deadline Persist preliminary report -> Notify review overdue. Any other
 * error -> Mark failed -> Study failed.
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
  props.analyzers.forEach((binding, index) => runAnalyzers.branch(analyzerBranch(scope, {
    binding,
    index,
    functions,
    derivedImagesBucket: props.derivedImagesBucket,
  })));
  onError(runAnalyzers);

  const aggregateStep = onError(lambdaStep(scope, 'AggregateFindings', {
    fn: functions.aggregateFindings,
    stateName: 'Aggregate findings',
    payload: sfn.TaskInput.fromObject({
      studyKey: sfn.JsonPath.stringAt('$.studyKey'),
      version: sfn.JsonPath.numberAt('$.version'),
      results: sfn.JsonPath.listAt(StatePath.RESULTS),
      findingRules: settings.findingRules,
      studyRequiresReview: sfn.JsonPath.stringAt('$.study.requiresReview'),
    }),
    resultPath: StatePath.AGGREGATE,
  }));

  // Persist a report, then announce it: once for a released or decided study,
  // once (with the same functions) for a study whose review deadline passed.
  const persistAndNotify = (id: string, names: { persist: string; notify: string; done: string }, detailType: string, reviewed: boolean) => {
    const persist = onError(lambdaStep(scope, `Persist${id}`, {
      fn: functions.persistResults,
      stateName: names.persist,
      // No payload: the function receives the whole state (WorkflowStateWithResults).
      resultPath: StatePath.PERSISTED,
    }));
    const notify = onError(lambdaStep(scope, `Notify${id}`, {
      fn: functions.notifyOutcome,
      stateName: names.notify,
      payload: sfn.TaskInput.fromObject({
        studyKey: sfn.JsonPath.stringAt('$.studyKey'),
        version: sfn.JsonPath.numberAt('$.version'),
        aggregate: sfn.JsonPath.objectAt(StatePath.AGGREGATE),
        persisted: sfn.JsonPath.objectAt(StatePath.PERSISTED),
        ...(reviewed ? { review: sfn.JsonPath.objectAt(StatePath.REVIEW) } : {}),
        detailType,
      }),
      resultPath: sfn.JsonPath.DISCARD,
    }));
    return persist.next(notify).next(new sfn.Succeed(scope, `${id}Done`, { stateName: names.done }));
  };
  const released = persistAndNotify('Results', { persist: 'Persist results', notify: 'Notify outcome', done: 'Done' }, DetailType.ANALYSIS_COMPLETED, false);

  const afterAggregate: sfn.IChainable = settings.reviewEnabled
    ? new sfn.Choice(scope, 'NeedsReview', { stateName: 'Needs review?' })
      .when(sfn.Condition.booleanEquals('$.aggregate.reviewRequired', true), reviewStep(scope, {
        requestReview: functions.requestReview,
        deadlines: settings.reviewDeadlines,
        onFailure: markFailedStep,
        afterDecision: persistAndNotify('Reviewed', { persist: 'Persist reviewed results', notify: 'Notify decision', done: 'Decided' },
          DetailType.ANALYSIS_COMPLETED, true),
        afterDeadline: persistAndNotify('Overdue', { persist: 'Persist preliminary report', notify: 'Notify review overdue', done: 'Awaiting late decision' },
          DetailType.REVIEW_OVERDUE, true),
      }))
      .otherwise(new sfn.Pass(scope, 'AutoRelease', { stateName: 'Auto release' }).next(released))
    : released;

  return selectStep.next(runAnalyzers).next(aggregateStep).next(afterAggregate);
}
