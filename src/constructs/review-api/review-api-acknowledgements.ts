import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';

export interface ReviewApiNagContext {
  readonly authorizationType: apigateway.AuthorizationType;
  /** Whether a WAF web ACL is associated (`webAclArn`). */
  readonly webAcl: boolean;
}

/** Acknowledges, on the API's own resources, the findings that follow from its deliberate settings. */
export function acknowledgeReviewApiFindings(api: apigateway.RestApi, context: ReviewApiNagContext): void {
  const stage = Validations.of(api.deploymentStage);
  const cache = 'No stage cache on purpose: responses carry presigned URLs that expire in minutes and review state that each decision changes, '
    + 'so a cached answer would be stale or expired; a cache would also hold clinical data outside the encrypted table.';
  stage.acknowledge({ id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason: cache });
  stage.acknowledge({ id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: cache });
  const backendCertificate = 'A stage client certificate lets an HTTP backend authenticate API Gateway; every integration here is a Lambda proxy '
    + 'integration invoked through the Lambda service with IAM, so no backend endpoint exists to check a certificate. Clients reach the API over TLS 1.2+ only.';
  stage.acknowledge({ id: 'HIPAA.Security-APIGWSSLEnabled', reason: backendCertificate });
  stage.acknowledge({ id: 'NIST.800.53.R5-APIGWSSLEnabled', reason: backendCertificate });
  if (!context.webAcl) {
    const waf = 'A WAF web ACL is optional (ReviewApiProps.webAclArn) because web ACLs are usually owned and shared by the account\'s security team; '
      + 'without one every method still requires IAM (SigV4) or Cognito authorization and the stage throttles requests.';
    stage.acknowledge({ id: 'AwsSolutions-APIG3', reason: waf });
    stage.acknowledge({ id: 'NIST.800.53.R5-APIGWAssociatedWithWAF', reason: waf });
  }
  if (context.authorizationType === apigateway.AuthorizationType.IAM) {
    for (const method of api.methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'The method uses AWS IAM (SigV4) authorization, the default of ReviewApiAuthorization: callers are IAM principals granted execute-api:Invoke; '
          + 'a Cognito user pool authorizer is the option (ReviewApiAuthorization.cognito) for reviewers who sign in through Cognito.',
      });
    }
  }
  const role = api.node.tryFindChild('CloudWatchRole');
  if (role !== undefined) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The AWS-managed policy API Gateway documents for its account-level logging role (CloudWatch Logs writes only); '
        + 'access and execution logging need this role, and ReviewApiProps.cloudWatchRole turns it off where the landing zone provides it.',
    });
  }
}
