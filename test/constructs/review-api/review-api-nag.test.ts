import * as cognito from 'aws-cdk-lib/aws-cognito';
import { buildReviewApi } from './review-api-fixture';
import { ReviewApiAuthorization } from '../../../src/index';
import { acknowledgements, expectNoNagFindings, formatFindings, nagFindings } from '../../support/nag';

describe('cdk-nag (AwsSolutions, HIPAA.Security, NIST.800.53.R5)', () => {
  test('clean with IAM authorization and no web ACL', () => {
    expectNoNagFindings(buildReviewApi().app);
  });

  test('clean with a Cognito authorizer and a web ACL', () => {
    const built = buildReviewApi((stack) => ({
      authorization: ReviewApiAuthorization.cognito(new cognito.UserPool(stack, 'Reviewers', { mfa: cognito.Mfa.REQUIRED })),
      webAclArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/review/0f1e2d3c',
    }));
    const ours = acknowledgements(built.reviewApi).map((a) => a.id);
    // Nothing to excuse when the option is taken: no COG4 (Cognito is used), no WAF findings (a web ACL is attached).
    expect(ours.filter((id) => /COG4|APIG3|AssociatedWithWAF/.test(id))).toEqual([]);
    // The user pool is the test's own resource: its findings are not the review API's.
    expect(formatFindings(nagFindings(built.app).filter((f) => !f.path.includes('/Reviewers/')))).toBe('');
  });

  test('each acknowledgement sits on the API resource it concerns and gives a reason', () => {
    const built = buildReviewApi();
    const ours = acknowledgements(built.reviewApi);
    const stagePath = built.reviewApi.api.deploymentStage.node.path;
    const at = (path: string) => ours.filter((a) => a.path === path).map((a) => a.id).sort();
    expect(at(stagePath)).toEqual([
      'AwsSolutions-APIG3',
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'HIPAA.Security-APIGWSSLEnabled',
      'NIST.800.53.R5-APIGWAssociatedWithWAF',
      'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'NIST.800.53.R5-APIGWSSLEnabled',
    ]);
    for (const method of built.reviewApi.api.methods) expect(at(method.node.path)).toEqual(['AwsSolutions-COG4']);
    for (const a of ours) expect(a.reason.length).toBeGreaterThan(60);
  });
});
