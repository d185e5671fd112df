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
  readonly aggregateFindings: lambda.Function;
  readonly persistResults: lambda.Function;
  readonly notifyOutcome: lambda.Function;
  readonly markFailed: lambda.Function;
}

export interface WorkflowStepFunctionsProps {
  readonly resultsStore: ResultsStore;
  readonly notifier: ClinicianNotifier;
  readonly encryptionKey: kms.IKey;
  readonly autoReleaseThreshold: number;
  readonly functionOptions?: PipelineFunctionOptions;
}

/** Creates the step functions in `scope`, each granted only what its step does. */
export function createWorkflowStepFunctions(scope: Construct, props: WorkflowStepFunctionsProps): WorkflowStepFunctions {
  const store = props.resultsStore;
  const notifier = props.notifier;
  const step = (id: string, bundle: string, description: string, environment: { [key: string]: string }) =>
    createHandlerFunction(scope, id, {
      bundle,
      description,
      encryptionKey: props.encryptionKey,
      environment,
      defaultReservedConcurrency: 5,
      options: props.functionOptions,
    });

  const selectImages = step('SelectImagesFunction', 'workflow/select-images.lambda', 'Lists the de-identified images of a study version for the analyzers', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName,
  });
  store.grantReadData(selectImages);
  store.grantUpdateData(selectImages);

  const aggregateFindings = step('AggregateFindingsFunction', 'workflow/aggregate-findings.lambda', 'Combines analyzer results and decides whether a clinician must review', {
    [EnvVar.AUTO_RELEASE_THRESHOLD]: String(props.autoReleaseThreshold),
  });

  const persistResults = step('PersistResultsFunction', 'workflow/persist-results.lambda', 'Records analyzer results and writes the FHIR and HTML reports', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    [EnvVar.REPORTS_BUCKET]: store.reportsBucket.bucketName,
  });
  store.grantReadData(persistResults);
  store.grantWriteData(persistResults);
  store.grantWriteReports(persistResults);

  const notifierEnv = {
    [EnvVar.EVENT_BUS_NAME]: notifier.eventBus.eventBusName,
    [EnvVar.TOPIC_ARN]: notifier.topic.topicArn,
  };
  const notifyOutcome = step('NotifyOutcomeFunction', 'workflow/notify-outcome.lambda', 'Publishes the PHI-free outcome of a study to EventBridge and SNS', notifierEnv);
  notifier.grantPublish(notifyOutcome);

  const markFailed = step('MarkFailedFunction', 'workflow/mark-failed.lambda', 'Marks a study FAILED and notifies', {
    [EnvVar.TABLE_NAME]: store.table.tableName,
    ...notifierEnv,
  });
  store.grantReadData(markFailed);
  store.grantWriteData(markFailed);
  notifier.grantPublish(markFailed);

  return { selectImages, aggregateFindings, persistResults, notifyOutcome, markFailed };
}
