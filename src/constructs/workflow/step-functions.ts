import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EnvVar } from '../../shared/env';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createHandlerFunction } from '../helpers/handler-function';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';

/** The Lambda functions behind the workflow's own steps (analyzers bring theirs). */
export interface WorkflowStepFunctions {
  readonly selectImages: lambda.Function;
  readonly planAnalysis: lambda.Function;
  readonly recordBatch: lambda.Function;
  readonly collectAnalysis: lambda.Function;
  readonly aggregateFindings: lambda.Function;
  readonly requestReview: lambda.Function;
  readonly persistResults: lambda.Function;
  readonly notifyOutcome: lambda.Function;
  readonly markFailed: lambda.Function;
}

export interface WorkflowStepFunctionsProps {
  readonly resultsStore: ResultsStore;
  readonly notifier: ClinicianNotifier;
  readonly encryptionKey: kms.IKey;
  readonly functionOptions?: PipelineFunctionOptions;
}

const ANALYSIS_STEP_TIMEOUT = Duration.minutes(5);

/** Creates the step functions in `scope`, each granted only what its step does. */
export function createWorkflowStepFunctions(scope: Construct, props: WorkflowStepFunctionsProps): WorkflowStepFunctions {
  const store = props.resultsStore;
  const notifier = props.notifier;
  const step = (id: string, bundle: string, description: string, environment: { [key: string]: string }, timeout?: Duration) =>
    createHandlerFunction(scope, id, {
      bundle,
      description,
      encryptionKey: props.encryptionKey,
      environment,
      defaultReservedConcurrency: 5,
      options: props.functionOptions,
      timeout,
    });

  const derivedEnv = { [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName };
  const selectImages = step('SelectImagesFunction', 'workflow/select-images.lambda', 'Claims a study version and writes its de-identified image manifest', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    ...derivedEnv,
  }, ANALYSIS_STEP_TIMEOUT);
  store.grantReadData(selectImages);
  store.grantUpdateData(selectImages);
  store.grantWriteDerivedImages(selectImages);

  // The analyzer plumbing reads the manifest and batches and writes batch records and results:
  // work that grows with the study (a 10,000-image manifest is ~4 MB), so minutes, not the default 60 s.
  const analysisStep = (id: string, bundle: string, description: string) => {
    const fn = step(id, bundle, description, derivedEnv, ANALYSIS_STEP_TIMEOUT);
    store.grantReadDerivedImages(fn);
    store.grantWriteDerivedImages(fn);
    return fn;
  };
  const planAnalysis = analysisStep('PlanAnalysisFunction', 'workflow/plan-analysis.lambda', 'Decides whether an analyzer applies and splits its selected images into batches');
  const recordBatch = analysisStep('RecordBatchFunction', 'workflow/record-batch.lambda', "Validates and stores one batch's analyzer result (or its failure)");
  const collectAnalysis = analysisStep('CollectAnalysisFunction', 'workflow/collect-analysis.lambda', "Combines an analyzer's batch results into one result per study");

  const aggregateFindings = analysisStep('AggregateFindingsFunction', 'workflow/aggregate-findings.lambda',
    'Applies the finding rules to the analyzer results and decides whether a clinician must review');

  const persistResults = step('PersistResultsFunction', 'workflow/persist-results.lambda', 'Records analyzer results and writes the FHIR, HTML and DICOM SR reports', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    ...store._reportWriterEnvironment(),
  });
  store.grantReadData(persistResults);
  store.grantWriteData(persistResults);
  store.grantReadDerivedImages(persistResults);
  store.grantWriteReports(persistResults);

  const notifierEnv = {
    [EnvVar.EVENT_BUS_NAME]: notifier.eventBus.eventBusName,
    ...notifier.messageEnvironment(),
  };
  const notifyOutcome = step('NotifyOutcomeFunction', 'workflow/notify-outcome.lambda', 'Publishes the PHI-free outcome of a study to EventBridge and SNS', notifierEnv);
  notifier.grantPublish(notifyOutcome);

  const requestReview = step('RequestReviewFunction', 'workflow/request-review.lambda', 'Stores the review task token, moves a held study IN_REVIEW and announces it', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    ...notifierEnv,
  });
  store.grantReadData(requestReview);
  store.grantWriteData(requestReview);
  notifier.grantPublish(requestReview);

  const markFailed = step('MarkFailedFunction', 'workflow/mark-failed.lambda', 'Marks a study FAILED and notifies', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    ...notifierEnv,
  });
  store.grantReadData(markFailed);
  store.grantWriteData(markFailed);
  notifier.grantPublish(markFailed);

  return { selectImages, planAnalysis, recordBatch, collectAnalysis, aggregateFindings, requestReview, persistResults, notifyOutcome, markFailed };
}
