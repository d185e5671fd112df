import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildReviewApi, Built, logicalIdOf, methodsByRoute } from './review-api-fixture';
import { ReviewApiAuthorization } from '../../../src/index';
import { EnvVar } from '../../../src/shared/env';
import { actionsOf, statementsOfRole } from '../workflow/workflow-fixture';

const ROUTES = ['GET /worklist', 'GET /studies/{studyKey}', 'POST /studies/{studyKey}/decision'];

function withUserPool(scopes?: string[]): Built {
  return buildReviewApi((stack) => ({ authorization: ReviewApiAuthorization.cognito(new cognito.UserPool(stack, 'Reviewers'), { scopes }) }));
}

function statementsOf(built: Built, fn: { role?: unknown }): Array<Record<string, unknown>> {
  return statementsOfRole(built.template, logicalIdOf(built, fn.role as never));
}

function environmentOf(built: Built, fn: unknown): Record<string, unknown> {
  return built.template.toJSON().Resources[logicalIdOf(built, fn as never)].Properties.Environment.Variables;
}

describe('authorization of every method', () => {
  test('AWS_IAM (SigV4) by default, with no authorizer', () => {
    const built = buildReviewApi();
    const methods = methodsByRoute(built);
    expect(Object.keys(methods).sort()).toEqual([...ROUTES].sort());
    expect(ROUTES.map((route) => [route, methods[route].AuthorizationType])).toEqual(ROUTES.map((route) => [route, 'AWS_IAM']));
    built.template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    expect(built.reviewApi.authorization.authorizationType).toBe('AWS_IAM');
  });

  test('COGNITO_USER_POOLS with cognito(): one user pool authorizer on every method, with the scopes given', () => {
    const built = withUserPool(['review/decide']);
    const authorizers = built.template.findResources('AWS::ApiGateway::Authorizer');
    expect(Object.values(authorizers).map((a) => [a.Properties.Type, a.Properties.IdentitySource])).toEqual([['COGNITO_USER_POOLS', 'method.request.header.Authorization']]);
    const [authorizerId] = Object.keys(authorizers);
    const methods = methodsByRoute(built);
    expect(ROUTES.map((route) => [route, methods[route].AuthorizationType, methods[route].AuthorizerId, methods[route].AuthorizationScopes]))
      .toEqual(ROUTES.map((route) => [route, 'COGNITO_USER_POOLS', { Ref: authorizerId }, ['review/decide']]));
  });

  test('cognito() without scopes takes identity tokens (no scopes on the methods)', () => {
    const methods = methodsByRoute(withUserPool());
    expect(ROUTES.map((route) => methods[route].AuthorizationScopes)).toEqual([undefined, undefined, undefined]);
  });

  test('grantInvoke gives execute-api:Invoke on the stage only', () => {
    const built = buildReviewApi();
    const role = new iam.Role(built.stack, 'Clinician', { assumedBy: new iam.AccountRootPrincipal() });
    built.reviewApi.grantInvoke(role);
    const statements = statementsOfRole(built.template, logicalIdOf(built, role));
    expect(statements).toEqual([expect.objectContaining({ Action: 'execute-api:Invoke' })]);
    const stageId = logicalIdOf(built, built.reviewApi.api.deploymentStage);
    expect(statements[0].Resource).toEqual({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: stageId }, '/*/*'])] });
  });
});

describe('the reviewer identity path', () => {
  test('the decision reaches its function as an unmodified Lambda proxy request, so the handler reads the authenticated request context', () => {
    const built = buildReviewApi();
    const decision = methodsByRoute(built)['POST /studies/{studyKey}/decision'];
    const integration = decision.Integration as Record<string, unknown>;
    expect(integration.Type).toBe('AWS_PROXY');
    expect(integration.RequestTemplates).toBeUndefined();
    expect(JSON.stringify(integration.Uri)).toContain(logicalIdOf(built, built.reviewApi.decisionFunction as never));
  });

  test('the body model has no reviewer: version and decision required, the decision an enum, amendments bounded', () => {
    const built = buildReviewApi();
    const models = built.template.findResources('AWS::ApiGateway::Model');
    const [modelId, model] = Object.entries(models).find(([, m]) => m.Properties.Name === 'DecisionRequest')!;
    const schema = model.Properties.Schema;
    expect(Object.keys(schema.properties).sort()).toEqual(['amendments', 'decision', 'reason', 'version']);
    expect(schema.required).toEqual(['version', 'decision']);
    expect(schema.properties.decision.enum).toEqual(['APPROVE', 'AMEND', 'REJECT']);
    expect(schema.properties.amendments.maxItems).toBe(100);
    expect(schema.properties.amendments.items.properties.type.enum).toEqual(['REMOVE', 'RELABEL', 'ADD']);
    const decision = methodsByRoute(built)['POST /studies/{studyKey}/decision'];
    expect(decision.RequestModels).toEqual({ 'application/json': { Ref: modelId } });
    const [validator] = Object.values(built.template.findResources('AWS::ApiGateway::RequestValidator'));
    expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
    expect(decision.RequestParameters).toEqual({ 'method.request.path.studyKey': true });
  });

  test("API Gateway's own 400s have fixed messages (its defaults can echo the request)", () => {
    const built = buildReviewApi();
    const responses = Object.values(built.template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS']);
    for (const r of responses) expect(r.ResponseTemplates['application/json']).not.toContain('$context.error');
  });
});

describe('WAF', () => {
  const ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/review/0f1e2d3c';

  test('webAclArn associates the web ACL with the stage', () => {
    const built = buildReviewApi({ webAclArn: ACL });
    const stageId = logicalIdOf(built, built.reviewApi.api.deploymentStage);
    built.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: ACL,
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^:apigateway:'), { Ref: stageId }])] },
    });
  });

  test('no association without it', () => {
    buildReviewApi().template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});

describe('stage', () => {
  const built = buildReviewApi({ functionOptions: { logRetention: logs.RetentionDays.SIX_MONTHS } });
  const stage = () => Object.values(built.template.findResources('AWS::ApiGateway::Stage'))[0].Properties;

  test('access logs go to a KMS-encrypted, PHI-masking log group with the given retention', () => {
    const groupId = logicalIdOf(built, built.reviewApi.accessLogGroup as never);
    expect(stage().AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
    expect(JSON.parse(stage().AccessLogSetting.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status', user: '$context.identity.user' });
    const group = built.template.toJSON().Resources[groupId];
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalIdOf(built, built.store.encryptionKey as never), 'Arn'] });
    expect(group.Properties.RetentionInDays).toBe(180);
    expect(group.Properties.DataProtectionPolicy.Name).toBe('mask-personal-identifiers');
    expect(group.DeletionPolicy).toBe('Retain');
  });

  test('X-Ray tracing, throttling, execution logs without request data', () => {
    expect(stage().TracingEnabled).toBe(true);
    expect(stage().MethodSettings).toEqual([expect.objectContaining({
      HttpMethod: '*',
      ResourcePath: '/*',
      DataTraceEnabled: false,
      LoggingLevel: 'ERROR',
      MetricsEnabled: true,
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    })]);
  });

  test('regional, TLS 1.2+ only, strict endpoint access', () => {
    built.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_2021_06',
      EndpointAccessMode: 'STRICT',
    });
  });

  test('throttling limits are props; the account CloudWatch role can be left to the landing zone', () => {
    const custom = buildReviewApi({ throttlingRateLimit: 5, throttlingBurstLimit: 7, cloudWatchRole: false });
    const settings = Object.values(custom.template.findResources('AWS::ApiGateway::Stage'))[0].Properties.MethodSettings[0];
    expect([settings.ThrottlingRateLimit, settings.ThrottlingBurstLimit]).toEqual([5, 7]);
    custom.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    built.template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});

describe('IAM of each function', () => {
  const built = buildReviewApi();
  const stateMachineRef = { Ref: logicalIdOf(built, built.workflow.stateMachine) };
  const { worklistFunction, studyFunction, decisionFunction } = built.reviewApi;

  test('only the decision function may send task responses, and only to the workflow\'s state machine', () => {
    const decision = statementsOf(built, decisionFunction);
    const taskResponse = decision.filter((s) => actionsOf([s]).some((a) => a.startsWith('states:')));
    expect(taskResponse).toEqual([expect.objectContaining({ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: stateMachineRef })]);
    for (const fn of [worklistFunction, studyFunction]) {
      expect(actionsOf(statementsOf(built, fn)).filter((a) => a.startsWith('states:'))).toEqual([]);
    }
    // Nobody else in the stack holds SendTaskSuccess either.
    const holders = Object.entries(built.template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('states:SendTaskSuccess'))
      .map(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref)).flat();
    expect(holders).toEqual([logicalIdOf(built, decisionFunction.role as never)]);
  });

  test('the worklist queries the review queue index and nothing else', () => {
    const statements = statementsOf(built, worklistFunction);
    const actions = actionsOf(statements).filter((a) => !/^(xray|logs):/.test(a));
    expect([...new Set(actions)].sort()).toEqual(['dynamodb:Query', 'kms:Decrypt', 'kms:DescribeKey']);
    const query = statements.find((s) => actionsOf([s]).includes('dynamodb:Query'))!;
    expect(JSON.stringify(query.Resource)).toContain('/index/ReviewQueueIndex');
    expect(JSON.stringify(query.Resource)).not.toContain('StatusIndex');
  });

  test('the study view reads the table and the derived previews it signs URLs for, and writes nothing', () => {
    const statements = statementsOf(built, studyFunction);
    const actions = actionsOf(statements).filter((a) => !/^(xray|logs):/.test(a));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject']));
    expect(actions.filter((a) => /Put|Update|Delete|Publish|PutEvents|GenerateDataKey/.test(a))).toEqual([]);
    const s3 = statements.find((s) => actionsOf([s]).includes('s3:GetObject'))!;
    expect(JSON.stringify(s3.Resource)).toContain(logicalIdOf(built, built.store.derivedImagesBucket as never));
    expect(JSON.stringify(s3.Resource)).toContain('/studies/*');
  });

  test('the decision function writes the table and reports, reads derived results and publishes', () => {
    const actions = actionsOf(statementsOf(built, decisionFunction));
    expect(actions).toEqual(expect.arrayContaining([
      'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:GetObject', 's3:PutObject', 'events:PutEvents', 'sns:Publish',
    ]));
    expect(actions.filter((a) => /Delete|Scan/.test(a))).toEqual([]);
  });

  test('the preview URL lifetime reaches the study function (default 5 minutes) under the name the handler reads', () => {
    expect(environmentOf(built, studyFunction)[EnvVar.PREVIEW_URL_EXPIRY_SECONDS]).toBe('300');
    const custom = buildReviewApi({ previewUrlExpiry: Duration.minutes(2) });
    expect(environmentOf(custom, custom.reviewApi.studyFunction)[EnvVar.PREVIEW_URL_EXPIRY_SECONDS]).toBe('120');
    expect(() => buildReviewApi({ previewUrlExpiry: Duration.hours(2) })).toThrow(/previewUrlExpiry must be between 1 second and 1 hour/);
  });

  test('each route has its own function, invoked by its own method only', () => {
    const permissions = Object.values(built.template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    for (const fn of [worklistFunction, studyFunction, decisionFunction]) {
      const mine = permissions.filter((p) => JSON.stringify(p.FunctionName).includes(logicalIdOf(built, fn as never)));
      expect(mine.length).toBeGreaterThan(0);
      for (const p of mine) expect(p.Principal).toBe('apigateway.amazonaws.com');
    }
  });
});
