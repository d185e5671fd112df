/**
 * The local review API server: routes read from a synthesized ReviewApi,
 * requests turned into API Gateway proxy events carrying the labelled
 * stand-in identity, and API Gateway's refusals for unsigned or unknown requests.
 */
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { LOCAL_REVIEWER_HEADER, ReviewApiServer, standInReviewerArn } from '../../scripts/local-runner/review-api-server';
import { CfnTemplate, LocalNames } from '../../scripts/local-runner/template';
import { findRestApi } from '../../scripts/local-runner/template-wiring';
import { ReviewApiAuthorization } from '../../src';
import { buildReviewApi, Built, logicalIdOf } from '../constructs/review-api/review-api-fixture';

interface Invocation { readonly fn: string; readonly event: Record<string, any> }

function serverFor(built: Built, answer: (fn: string) => unknown = () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' })) {
  const template = built.template.toJSON() as CfnTemplate;
  const api = findRestApi(template, new LocalNames(template, 'Test'))!;
  const invocations: Invocation[] = [];
  const server = new ReviewApiServer({
    api,
    invoke: async (fn, event) => {
      invocations.push({ fn, event: event as Record<string, any> });
      const result = answer(fn);
      if (result instanceof Error) throw result;
      return result;
    },
  });
  return { api, server, invocations };
}

describe('routes from the template', () => {
  test('the three methods, their authorization and the function behind each', () => {
    const built = buildReviewApi();
    const { api } = serverFor(built);
    const id = (fn: unknown) => logicalIdOf(built, fn as never);
    expect(api.stageName).toBe('v1');
    expect([...api.routes].sort((a, b) => a.resourcePath.localeCompare(b.resourcePath))).toEqual([
      { httpMethod: 'GET', resourcePath: '/studies/{studyKey}', authorizationType: 'AWS_IAM', functionLogicalId: id(built.reviewApi.studyFunction) },
      { httpMethod: 'POST', resourcePath: '/studies/{studyKey}/decision', authorizationType: 'AWS_IAM', functionLogicalId: id(built.reviewApi.decisionFunction) },
      { httpMethod: 'GET', resourcePath: '/worklist', authorizationType: 'AWS_IAM', functionLogicalId: id(built.reviewApi.worklistFunction) },
    ]);
  });

  test('a template without a REST API has none', () => {
    expect(findRestApi({ Resources: {} }, new LocalNames({ Resources: {} }, 'Empty'))).toBeUndefined();
  });
});

describe('requests', () => {
  const built = buildReviewApi();
  const decisionFn = logicalIdOf(built, built.reviewApi.decisionFunction as never);
  let local: ReturnType<typeof serverFor>;
  beforeAll(async () => {
    local = serverFor(built, (fn) => (fn === decisionFn ? { statusCode: 409, headers: { 'content-type': 'application/json' }, body: '{"message":"decided"}' } : new Error('crash')));
    await local.server.start();
  });
  afterAll(() => local.server.stop());
  beforeEach(() => local.invocations.splice(0));

  test('a signed-in stand-in reviewer reaches the handler as a Lambda proxy event with the stand-in identity; the response passes through', async () => {
    const response = await local.server.call('POST', 'studies/abc123/decision', { session: 'dr-lee', body: { version: 1, decision: 'APPROVE', reviewer: 'forged' } });
    expect(response).toEqual({ status: 409, body: '{"message":"decided"}' });
    expect(local.invocations).toHaveLength(1);
    const { fn, event } = local.invocations[0];
    expect(fn).toBe(decisionFn);
    expect(event).toMatchObject({
      resource: '/studies/{studyKey}/decision',
      path: '/studies/abc123/decision',
      httpMethod: 'POST',
      pathParameters: { studyKey: 'abc123' },
      isBase64Encoded: false,
      requestContext: {
        stage: 'v1',
        resourcePath: '/studies/{studyKey}/decision',
        identity: { userArn: 'arn:aws:sts::000000000000:assumed-role/local-reviewer-stand-in/dr-lee' },
        authorizer: null,
      },
    });
    expect(JSON.parse(event.body)).toEqual({ version: 1, decision: 'APPROVE', reviewer: 'forged' });
    expect(local.server.requests.at(-1)).toEqual({
      method: 'POST', path: '/v1/studies/abc123/decision', route: 'POST /studies/{studyKey}/decision', status: 409, reviewer: standInReviewerArn('dr-lee'),
    });
  });

  test('without the stand-in header: API Gateway\'s 403, and no function runs', async () => {
    const response = await local.server.call('POST', 'studies/abc123/decision', { body: { version: 1, decision: 'APPROVE' } });
    expect(response).toEqual({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    const badSession = await fetch(new URL('worklist', local.server.url), { headers: { [LOCAL_REVIEWER_HEADER]: 'no spaces/or slashes' } });
    expect(badSession.status).toBe(403);
    expect(local.invocations).toEqual([]);
  });

  test('an unknown route or method is a 403 as well (API Gateway reveals no routes)', async () => {
    expect((await local.server.call('DELETE', 'studies/abc123', { session: 'dr-lee' })).status).toBe(403);
    expect((await local.server.call('GET', 'studies', { session: 'dr-lee' })).status).toBe(403);
    expect((await fetch(local.server.url.replace('/v1/', '/v2/worklist'), { headers: { [LOCAL_REVIEWER_HEADER]: 'dr-lee' } })).status).toBe(403);
    expect(local.invocations).toEqual([]);
  });

  test('a function that fails gives API Gateway\'s 502', async () => {
    expect(await local.server.call('GET', 'worklist', { session: 'dr-lee' })).toEqual({ status: 502, body: '{"message":"Internal server error"}' });
  });
});

test('under Cognito authorization the stand-in signs in as a user pool user (claims, no IAM caller)', async () => {
  const built = buildReviewApi((stack) => ({ authorization: ReviewApiAuthorization.cognito(new cognito.UserPool(stack, 'Reviewers')) }));
  const local = serverFor(built);
  await local.server.start();
  try {
    expect((await local.server.call('GET', 'worklist', { session: 'dr-lee' })).status).toBe(200);
    expect(local.invocations[0].event.requestContext).toMatchObject({
      identity: { userArn: null },
      authorizer: { claims: { 'sub': 'local-reviewer-stand-in-dr-lee', 'cognito:username': 'dr-lee' } },
    });
  } finally {
    await local.server.stop();
  }
});
