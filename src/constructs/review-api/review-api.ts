import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeReviewApiFindings } from './review-api-acknowledgements';
import { ReviewApiAuthorization } from './review-api-authorization';
import { createReviewApiFunctions } from './review-api-functions';
import { decisionRequestSchema } from './review-api-models';
import { PipelineFunctionOptions } from '../helpers/function-options';
import { createPhiProtectedLogGroup } from '../helpers/log-group';
import { ClinicianNotifier } from '../notifier/clinician-notifier';
import { ResultsStore } from '../results-store/results-store';
import { AnalysisWorkflow } from '../workflow/analysis-workflow';

export * from './review-api-authorization';

/**
 * How the review API authenticates, protects and throttles requests (the part
 * of `ReviewApiProps` that `MedicalImagingPipelineProps.reviewApiOptions` passes on).
 */
export interface ReviewApiOptions {
  /**
   * How callers authenticate; the reviewer recorded with a decision is the
   * authenticated caller, never a value from the request body.
   * @default ReviewApiAuthorization.iam()
   */
  readonly authorization?: ReviewApiAuthorization;

  /**
   * ARN of an AWS WAF (v2, REGIONAL scope) web ACL to associate with the API's stage.
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * How long a presigned preview URL in a study response stays valid (1 second to 1 hour).
   * @default Duration.minutes(5)
   */
  readonly previewUrlExpiry?: Duration;

  /**
   * Steady-state requests per second the stage accepts (all methods together).
   * @default 20
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the stage accepts above the steady rate.
   * @default 40
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Create the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`,
   * retained on deletion), which access and execution logging need. Turn off
   * where the landing zone sets it for the account and region.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

/**
 * Properties of `ReviewApi`.
 */
export interface ReviewApiProps extends ReviewApiOptions {
  /** The workflow whose held studies are reviewed; only the decision function may resume it. */
  readonly workflow: AnalysisWorkflow;

  /** Where studies, reviews, findings, previews and reports are. */
  readonly resultsStore: ResultsStore;

  /** Where a late decision's `Analysis Completed` event and message go. */
  readonly notifier: ClinicianNotifier;

  /**
   * Key for the access log group and the functions' logs and environment.
   * @default - the results store's key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Settings for the API's functions; `logRetention` applies to the access log group too.
   * @default - the library defaults (see `PipelineFunctionOptions`)
   */
  readonly functionOptions?: PipelineFunctionOptions;
}

const MAX_PREVIEW_URL_EXPIRY = Duration.hours(1);

/**
 * The clinicians' review API: an API Gateway REST API (regional, TLS 1.2+,
 * X-Ray, access logs in a KMS-encrypted PHI-masking log group, throttled,
 * request validation) over three functions:
 *   GET  /worklist                       studies awaiting review, overdue first, then by priority and deadline
 *   GET  /studies/{studyKey}             the current version: findings (with their index), analyzers, preview URLs
 *   POST /studies/{studyKey}/decision    { version, decision: APPROVE|AMEND|REJECT, amendments?, reason? }
 * Every method requires IAM (SigV4) authorization, or a Cognito user pool
 * token with `ReviewApiAuthorization.cognito()`. A decision is accepted once
 * per study version (a second one gets 409) and recorded as an audit event;
 * only the decision function can resume the workflow.
 */
export class ReviewApi extends Construct {
  public readonly api: apigateway.RestApi;
  /** API Gateway access logs (one JSON line per request). */
  public readonly accessLogGroup: logs.ILogGroup;
  public readonly worklistFunction: lambda.IFunction;
  public readonly studyFunction: lambda.IFunction;
  /** The only function allowed to send the workflow's task response. */
  public readonly decisionFunction: lambda.IFunction;
  /** Base URL of the deployed stage, e.g. `https://<id>.execute-api.<region>.amazonaws.com/v1/`. */
  public readonly url: string;
  public readonly authorization: ReviewApiAuthorization;

  constructor(scope: Construct, id: string, props: ReviewApiProps) {
    super(scope, id);
    this.authorization = props.authorization ?? ReviewApiAuthorization.iam();
    const encryptionKey = props.encryptionKey ?? props.resultsStore.encryptionKey;
    const previewUrlExpiry = props.previewUrlExpiry ?? Duration.minutes(5);
    const expirySeconds = previewUrlExpiry.toSeconds();
    if (expirySeconds < 1 || expirySeconds > MAX_PREVIEW_URL_EXPIRY.toSeconds()) {
      throw new Error('ReviewApi: previewUrlExpiry must be between 1 second and 1 hour (preview links are meant to expire within minutes).');
    }

    const functions = createReviewApiFunctions(this, {
      workflow: props.workflow,
      resultsStore: props.resultsStore,
      notifier: props.notifier,
      encryptionKey,
      previewUrlExpiry,
      functionOptions: props.functionOptions,
    });
    this.worklistFunction = functions.worklist;
    this.studyFunction = functions.study;
    this.decisionFunction = functions.decision;

    this.accessLogGroup = createPhiProtectedLogGroup(this, 'AccessLogs', {
      encryptionKey,
      retention: props.functionOptions?.logRetention,
      additionalDataIdentifiers: props.functionOptions?.additionalLogDataIdentifiers,
    });
    const cloudWatchRole = props.cloudWatchRole ?? true;
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Clinician review of held imaging studies: worklist, study, decision',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole,
      // The role is an account setting other APIs rely on: deleting this stack must not unset it.
      ...(cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs at ERROR without request or response data: bodies hold findings and reasons.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        throttlingRateLimit: props.throttlingRateLimit ?? 20,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 40,
      },
      defaultMethodOptions: this.methodAuthorization(),
    });
    requireModernTls(this.api);
    this.addRoutes(functions);
    this.addGatewayResponses();

    if (props.webAclArn !== undefined) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    }
    acknowledgeReviewApiFindings(this.api, {
      authorizationType: this.authorization.authorizationType,
      webAcl: props.webAclArn !== undefined,
    });
    this.url = this.api.url;
  }

  /** `execute-api:Invoke` on every method of the API's stage (IAM authorization). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('*', '/*', this.api.deploymentStage.stageName)],
    });
  }

  private methodAuthorization(): apigateway.MethodOptions {
    const { authorizationType, userPool, scopes } = this.authorization;
    if (authorizationType !== apigateway.AuthorizationType.COGNITO || userPool === undefined) {
      return { authorizationType: apigateway.AuthorizationType.IAM };
    }
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [userPool] });
    return {
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizer,
      ...(scopes.length === 0 ? {} : { authorizationScopes: scopes }),
    };
  }

  private addRoutes(functions: { worklist: lambda.IFunction; study: lambda.IFunction; decision: lambda.IFunction }): void {
    const validator = new apigateway.RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const withStudyKey = { requestParameters: { 'method.request.path.studyKey': true }, requestValidator: validator };
    const decisionModel = this.api.addModel('DecisionRequest', {
      contentType: 'application/json',
      modelName: 'DecisionRequest',
      schema: decisionRequestSchema(),
    });

    this.api.root.addResource('worklist').addMethod('GET', new apigateway.LambdaIntegration(functions.worklist), { requestValidator: validator });
    const study = this.api.root.addResource('studies').addResource('{studyKey}');
    study.addMethod('GET', new apigateway.LambdaIntegration(functions.study), withStudyKey);
    study.addResource('decision').addMethod('POST', new apigateway.LambdaIntegration(functions.decision), {
      ...withStudyKey,
      requestModels: { 'application/json': decisionModel },
    });
  }

  /** Fixed messages for refusals API Gateway itself makes (its defaults may echo request values). */
  private addGatewayResponses(): void {
    this.api.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      templates: { 'application/json': JSON.stringify({ message: 'The body does not match DecisionRequest: { version, decision (APPROVE, AMEND or REJECT), amendments?, reason? }' }) },
    });
    this.api.addGatewayResponse('BadRequestParameters', {
      type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
      templates: { 'application/json': JSON.stringify({ message: 'The request is missing a required path parameter' }) },
    });
  }
}

/**
 * TLS 1.2 or 1.3 only (API Gateway's default endpoint policy still accepts
 * TLS 1.0), with strict endpoint access. Set on the L1 resource so older
 * aws-cdk-lib peers that lack the typed properties synthesize it too.
 */
function requireModernTls(api: apigateway.RestApi): void {
  const cfn = api.node.defaultChild as apigateway.CfnRestApi;
  cfn.addPropertyOverride('SecurityPolicy', 'SecurityPolicy_TLS13_1_2_2021_06');
  cfn.addPropertyOverride('EndpointAccessMode', 'STRICT');
}
