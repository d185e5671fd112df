import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EnvVar } from '../../shared/env';
import { FunctionInvocation } from '../helpers/function-acknowledgements';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createHandlerFunction } from '../helpers/handler-function';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';
import { AnalysisWorkflow } from '../workflow/analysis-workflow';

/**
 * Name of the preview URL lifetime setting; the study function reads the same
 * name (src/runtime/steps/review-api/settings.ts). It belongs in EnvVar.
 */

export interface ReviewApiFunctions {
  readonly worklist: lambda.Function;
  readonly study: lambda.Function;
  readonly decision: lambda.Function;
}

export interface ReviewApiFunctionsProps {
  readonly workflow: AnalysisWorkflow;
  readonly resultsStore: ResultsStore;
  readonly notifier: ClinicianNotifier;
  readonly encryptionKey: kms.IKey;
  readonly previewUrlExpiry: Duration;
  readonly functionOptions?: PipelineFunctionOptions;
}

/** One function per route, each granted only what its route does. */
export function createReviewApiFunctions(scope: Construct, props: ReviewApiFunctionsProps): ReviewApiFunctions {
  const store = props.resultsStore;
  const fn = (id: string, bundle: string, description: string, environment: { [key: string]: string }) =>
    createHandlerFunction(scope, id, {
      bundle,
      description,
      encryptionKey: props.encryptionKey,
      environment: { [EnvVar.TABLE_NAME]: store.table.tableName, ...environment },
      timeout: Duration.seconds(29), // API Gateway's integration timeout
      invocation: FunctionInvocation.API_REQUEST,
      defaultReservedConcurrency: 5,
      options: props.functionOptions,
    });

  const worklist = fn('WorklistFunction', 'review-api/worklist.lambda', 'Review API: lists the studies awaiting a clinician, by priority then deadline', {});
  store.grantQueryReviewWorklist(worklist);

  // Presigned URLs are signed with this function's role: it reads the previews it links to.
  const study = fn('StudyFunction', 'review-api/study.lambda', 'Review API: one held study with its findings and short-lived preview links', {
    [EnvVar.DERIVED_BUCKET]: store.derivedImagesBucket.bucketName,
    [EnvVar.PREVIEW_URL_EXPIRY_SECONDS]: String(props.previewUrlExpiry.toSeconds()),
  });
  store.grantReadData(study);
  store.grantReadDerivedImages(study);

  // The decision resumes the workflow, or after the deadline writes report revision 2 itself.
  const decision = fn('DecisionFunction', 'review-api/decision.lambda', "Review API: records a clinician's decision and resumes the workflow or revises the report", {
    ...store._reportWriterEnvironment(),
    [EnvVar.EVENT_BUS_NAME]: props.notifier.eventBus.eventBusName,
    ...props.notifier.messageEnvironment(),
  });
  store.grantReadData(decision);
  store.grantWriteData(decision);
  store.grantReadDerivedImages(decision);
  store.grantWriteReports(decision);
  props.notifier.grantPublish(decision);
  props.workflow._grantTaskResponse(decision);

  return { worklist, study, decision };
}
