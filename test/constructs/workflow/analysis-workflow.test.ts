import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { actionsOf, AslMachine, AslState, buildWorkflow, definitionOf, fixture, statementsOfRole } from './workflow-fixture';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { AnalysisWorkflow } from '../../../src/constructs/workflow/analysis-workflow';

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

function externalAnalyzer(f: ReturnType<typeof fixture>, name: string) {
  const fn = lambda.Function.fromFunctionAttributes(f.stack, `${name}Fn`, {
    functionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${name}`,
    role: iam.Role.fromRoleArn(f.stack, `${name}Role`, `arn:aws:iam::111122223333:role/${name}`),
  });
  return Analyzer.lambdaFunction(fn, { name });
}

function standard() {
  const f = fixture();
  const built = buildWorkflow({ analyzers: [Analyzer.imageQuality(), externalAnalyzer(f, 'chest-xray')] }, f);
  return { ...built, asl: definitionOf(built.template) };
}

function state(asl: AslMachine, name: string): AslState {
  const found = asl.States[name];
  if (!found) throw new Error(`no state '${name}' in ${Object.keys(asl.States).join(', ')}`);
  return found;
}

function logicalIdOf(built: ReturnType<typeof standard>, construct: { node: { defaultChild?: unknown } } | unknown): string {
  return built.stack.getLogicalId(construct as never);
}

describe('AnalysisWorkflow state graph', () => {
  const built = standard();
  const asl = built.asl;

  test('is JSONPath and starts by selecting images', () => {
    expect(asl.QueryLanguage).toBe('JSONPath');
    expect(asl.StartAt).toBe('Select images');
    expect(Object.keys(asl.States).sort()).toEqual([
      'Aggregate findings',
      'Auto release',
      'Done',
      'Mark failed',
      'Needs review?',
      'Notify outcome',
      'Persist results',
      'Review required',
      'Review timed out',
      'Run analyzers',
      'Select images',
      'Study failed',
    ]);
  });

  test('main chain transitions and result paths', () => {
    const select = state(asl, 'Select images');
    expect(select).toMatchObject({ Next: 'Run analyzers', ResultPath: '$.study' });
    expect(select.Parameters).toEqual({ 'studyKey.$': '$.studyKey', 'version.$': '$.version' });
    expect(state(asl, 'Run analyzers')).toMatchObject({ Type: 'Parallel', Next: 'Aggregate findings', ResultPath: '$.results' });
    expect(state(asl, 'Aggregate findings')).toMatchObject({
      Next: 'Needs review?',
      ResultPath: '$.aggregate',
      Parameters: { 'results.$': '$.results', 'autoReleaseThreshold': 0.8, 'studyRequiresReview.$': '$.study.requiresReview' },
    });
    expect(state(asl, 'Auto release')).toMatchObject({ Type: 'Pass', Next: 'Persist results' });
    const persist = state(asl, 'Persist results');
    expect(persist).toMatchObject({ Next: 'Notify outcome', ResultPath: '$.persisted' });
    expect(persist.Parameters).toBeUndefined(); // the whole state goes to the function
    expect(state(asl, 'Notify outcome')).toMatchObject({
      Next: 'Done',
      ResultPath: null,
      Parameters: {
        'studyKey.$': '$.studyKey',
        'version.$': '$.version',
        'aggregate.$': '$.aggregate',
        'persisted.$': '$.persisted',
        'detailType': 'Analysis Completed',
      },
    });
    expect(state(asl, 'Done').Type).toBe('Succeed');
  });

  test('Lambda steps return the payload only and retry service errors with jittered backoff', () => {
    const lambdaStates = ['Select images', 'Aggregate findings', 'Persist results', 'Notify outcome', 'Mark failed'];
    for (const name of lambdaStates) {
      const s = state(asl, name);
      expect(s.Resource).toBe('<token>'); // the function ARN itself: payloadResponseOnly
      expect(s.Retry).toEqual([
        {
          ErrorEquals: LAMBDA_SERVICE_ERRORS,
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        },
      ]);
    }
  });

  test('review choice reads $.aggregate.reviewRequired', () => {
    const choice = state(asl, 'Needs review?');
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([{ Variable: '$.aggregate.reviewRequired', BooleanEquals: true, Next: 'Review required' }]);
    expect(choice.Default).toBe('Auto release');
  });

  test('review waits for a task token on the notifier bus, 24 h by default, and a timeout still persists', () => {
    const review = state(asl, 'Review required');
    expect(review.Resource).toMatch(/:states:::events:putEvents\.waitForTaskToken$/);
    expect(review.TimeoutSeconds).toBe(24 * 3600);
    expect(review.ResultPath).toBe('$.review');
    expect(review.Next).toBe('Persist results');
    const entry = (review.Parameters as { Entries: Array<Record<string, unknown>> }).Entries[0];
    expect(entry).toMatchObject({
      Source: 'medical-imaging-pipeline',
      DetailType: 'Review Required',
      Detail: {
        'studyKey.$': '$.studyKey',
        'version.$': '$.version',
        'taskToken.$': '$$.Task.Token',
        'findingCount.$': '$.aggregate.findingCount',
      },
    });
    expect(review.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], Next: 'Review timed out', ResultPath: null },
      { ErrorEquals: ['States.ALL'], Next: 'Mark failed', ResultPath: '$.error' },
    ]);
    expect(state(asl, 'Review timed out')).toMatchObject({
      Type: 'Pass',
      Result: { decision: 'TIMED_OUT' },
      ResultPath: '$.review',
      Next: 'Persist results',
    });
    // The only non-Lambda task.
    const nonLambda = Object.entries(asl.States).filter(([, s]) => s.Type === 'Task' && s.Resource !== '<token>');
    expect(nonLambda.map(([n]) => n)).toEqual(['Review required']);
  });

  test('every main-chain step catches all errors into Mark failed, which fails the execution', () => {
    for (const name of ['Select images', 'Run analyzers', 'Aggregate findings', 'Persist results', 'Notify outcome']) {
      expect(state(asl, name).Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Mark failed', ResultPath: '$.error' }]);
    }
    const markFailed = state(asl, 'Mark failed');
    expect(markFailed.Parameters).toEqual({ 'studyKey.$': '$.studyKey', 'version.$': '$.version', 'error.$': '$.error' });
    expect(markFailed).toMatchObject({ Next: 'Study failed', ResultPath: null });
    expect(markFailed.Catch).toBeUndefined();
    expect(state(asl, 'Study failed')).toMatchObject({ Type: 'Fail', Error: 'StudyFailed' });
  });

  test('one branch per analyzer, each turning its own failure into a FAILED result', () => {
    const branches = state(asl, 'Run analyzers').Branches!;
    expect(branches).toHaveLength(2);
    const expected = [
      { name: 'image-quality', modelId: 'image-quality', modelVersion: 'builtin' },
      { name: 'chest-xray', modelId: 'unknown', modelVersion: 'unknown' },
    ];
    branches.forEach((branch, index) => {
      const { name, modelId, modelVersion } = expected[index];
      expect(branch.StartAt).toBe(`Analyze ${name}`);
      const analyze = branch.States[`Analyze ${name}`];
      expect(analyze.Parameters).toEqual({ 'schemaVersion': '1.0', 'analyzerName': name, 'study.$': '$.study' });
      expect(analyze.End).toBe(true);
      expect(analyze.Retry![0].ErrorEquals).toEqual(LAMBDA_SERVICE_ERRORS);
      expect(analyze.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: `${name} failed`, ResultPath: null }]);
      expect(branch.States[`${name} failed`]).toEqual({
        Type: 'Pass',
        Result: {
          schemaVersion: '1.0',
          analyzerName: name,
          modelId,
          modelVersion,
          status: 'FAILED',
          findings: [],
          durationMs: 0,
          errorCode: 'ANALYZER_ERROR',
        },
        End: true,
      });
    });
  });

  test('analyzerNames lists the bound analyzers in order', () => {
    expect(built.workflow.analyzerNames).toEqual(['image-quality', 'chest-xray']);
  });
});

describe('AnalysisWorkflow options', () => {
  test('review disabled: aggregate goes straight to persist and no token task exists', () => {
    const { template } = buildWorkflow({ analyzers: [Analyzer.imageQuality()], reviewEnabled: false });
    const asl = definitionOf(template);
    expect(state(asl, 'Aggregate findings').Next).toBe('Persist results');
    expect(asl.States['Needs review?']).toBeUndefined();
    expect(asl.States['Review required']).toBeUndefined();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionString: Match.anyValue() });
    expect(asl.TimeoutSeconds).toBe(2 * 3600);
  });

  test('review timeout, threshold and execution timeout are applied', () => {
    const { template } = buildWorkflow({
      analyzers: [Analyzer.imageQuality()],
      reviewTimeout: Duration.hours(4),
      autoReleaseThreshold: 0.65,
    });
    const asl = definitionOf(template);
    expect(state(asl, 'Review required').TimeoutSeconds).toBe(4 * 3600);
    expect(state(asl, 'Aggregate findings').Parameters).toMatchObject({ autoReleaseThreshold: 0.65 });
    expect(asl.TimeoutSeconds).toBe(6 * 3600);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUTO_RELEASE_THRESHOLD: '0.65' }) },
    });
  });

  test('default execution timeout is 2 h plus the 24 h review window', () => {
    const { template } = buildWorkflow({ analyzers: [Analyzer.imageQuality()] });
    expect(definitionOf(template).TimeoutSeconds).toBe(26 * 3600);
  });

  test('a multi-state analyzer is wrapped in a one-branch Parallel that carries the catch', () => {
    const { template } = buildWorkflow({
      analyzers: [{
        bind: (scope) => {
          const first = new sfn.Pass(scope, 'CustomPrepare', { stateName: 'custom prepare' });
          const second = new sfn.Pass(scope, 'CustomResult', { stateName: 'custom result' });
          return { analyzerName: 'custom', task: first.next(second) };
        },
      }],
    });
    const branch = state(definitionOf(template), 'Run analyzers').Branches![0];
    expect(branch.StartAt).toBe('Run custom');
    const wrapper = branch.States['Run custom'];
    expect(wrapper).toMatchObject({ Type: 'Parallel', OutputPath: '$[0]' });
    expect(wrapper.Branches![0].StartAt).toBe('custom prepare');
    expect(wrapper.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'custom failed', ResultPath: null }]);
  });
});

describe('AnalysisWorkflow resources', () => {
  const built = standard();
  const { template, store, workflow } = built;
  const keyArn = built.stack.resolve(store.encryptionKey.keyArn);

  test('state machine: standard, KMS-encrypted with the pipeline key, traced, logging ALL without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: keyArn },
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: built.stack.resolve(workflow.logGroup.logGroupArn) } }],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: keyArn,
      DataProtectionPolicy: Match.anyValue(),
    });
    const logGroupId = logicalIdOf(built, workflow.logGroup.node.defaultChild);
    expect(template.toJSON().Resources[logGroupId].Properties.KmsKeyId).toEqual(keyArn);
  });

  test('state machine role can invoke exactly the step and analyzer functions', () => {
    const roleId = logicalIdOf(built, workflow.stateMachine.role.node.defaultChild);
    const statements = statementsOfRole(template, roleId);
    const invoke = statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    const invoked = invoke.flatMap((s) => s.Resource as unknown[]);
    const fnArn = (fn: lambda.IFunction) => built.stack.resolve(fn.functionArn);
    const expectedFns = [
      workflow.selectImagesFunction,
      workflow.aggregateFindingsFunction,
      workflow.persistResultsFunction,
      workflow.notifyOutcomeFunction,
      workflow.markFailedFunction,
    ].map(fnArn);
    const analyzerFns = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Image-quality analyzer') },
    });
    expect(Object.keys(analyzerFns)).toHaveLength(1);
    expectedFns.push({ 'Fn::GetAtt': [Object.keys(analyzerFns)[0], 'Arn'] });
    expectedFns.push('arn:aws:lambda:eu-west-1:111122223333:function:chest-xray');
    for (const arn of expectedFns) expect(invoked).toContainEqual(arn);
    // ARN and ARN:* (versions/aliases) per function, nothing else.
    expect(invoked).toHaveLength(expectedFns.length * 2);
    expect(actionsOf(statements).every((a) => a !== '*' && !a.endsWith(':*'))).toBe(true);
    expect(actionsOf(statements)).toContain('events:PutEvents');
  });

  test('no IAM policy in the stack grants a wildcard action', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const actions = Object.values(policies).flatMap((p) => actionsOf(p.Properties.PolicyDocument.Statement));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  test('step functions get exactly their data access', () => {
    const roleOf = (fn: lambda.IFunction) => logicalIdOf(built, fn.role!.node.defaultChild);
    const dataActions = (fn: lambda.IFunction) =>
      [...new Set(actionsOf(statementsOfRole(template, roleOf(fn))).filter((a) => !a.startsWith('xray:')))].sort();
    expect(dataActions(workflow.selectImagesFunction)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'].sort(),
    );
    expect(dataActions(workflow.aggregateFindingsFunction)).toEqual([]); // no AWS access at all
    expect(dataActions(workflow.persistResultsFunction)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 's3:PutObject'].sort(),
    );
    expect(dataActions(workflow.notifyOutcomeFunction)).toEqual(
      ['events:PutEvents', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'sns:Publish'].sort(),
    );
    expect(dataActions(workflow.markFailedFunction)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'sns:Publish'].sort(),
    );
  });

  test('step functions carry the environment their handlers read', () => {
    const env = (fn: lambda.IFunction) =>
      template.toJSON().Resources[logicalIdOf(built, fn.node.defaultChild)].Properties.Environment.Variables;
    const table = built.stack.resolve(store.table.tableName);
    const derived = built.stack.resolve(store.derivedImagesBucket.bucketName);
    expect(env(workflow.selectImagesFunction)).toMatchObject({ TABLE_NAME: table, DERIVED_BUCKET: derived });
    expect(env(workflow.aggregateFindingsFunction)).toMatchObject({ AUTO_RELEASE_THRESHOLD: '0.8' });
    const reports = built.stack.resolve(store.reportsBucket.bucketName);
    expect(env(workflow.persistResultsFunction)).toMatchObject({ TABLE_NAME: table, REPORTS_BUCKET: reports });
    expect(Object.keys(env(workflow.notifyOutcomeFunction))).toEqual(expect.arrayContaining(['EVENT_BUS_NAME', 'TOPIC_ARN']));
    expect(Object.keys(env(workflow.markFailedFunction))).toEqual(expect.arrayContaining(['TABLE_NAME', 'EVENT_BUS_NAME', 'TOPIC_ARN']));
  });

  test('grantSendTaskResponse allows SendTaskSuccess/Failure on this state machine only', () => {
    const f = fixture();
    const wf = new AnalysisWorkflow(f.stack, 'Workflow', {
      resultsStore: f.store,
      notifier: f.notifier,
      analyzers: [Analyzer.imageQuality()],
    });
    const app = new iam.Role(f.stack, 'ClinicianApp', { assumedBy: new iam.AccountRootPrincipal() });
    wf.grantSendTaskResponse(app);
    const statements = statementsOfRole(Template.fromStack(f.stack), f.stack.getLogicalId(app.node.defaultChild as never));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: f.stack.resolve(wf.stateMachine.stateMachineArn),
      },
    ]);
  });
});

describe('AnalysisWorkflow validation', () => {
  const props = (f: ReturnType<typeof fixture>) => ({ resultsStore: f.store, notifier: f.notifier });

  test('no analyzers', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [] })).toThrow(
      /'analyzers' is empty; give at least one/,
    );
  });

  test('duplicate analyzer names', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [Analyzer.imageQuality(), Analyzer.imageQuality()] })).toThrow(
      "AnalysisWorkflow: analyzers 0 and 1 are both named 'image-quality'; give each a unique 'name' option.",
    );
  });

  test.each([-0.01, 1.01, Number.NaN])('threshold %p out of range', (threshold) => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [Analyzer.imageQuality()], autoReleaseThreshold: threshold })).toThrow(
      /'autoReleaseThreshold' must be between 0 and 1/,
    );
  });

  test.each([0, 1])('threshold %p is allowed', (threshold) => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [Analyzer.imageQuality()], autoReleaseThreshold: threshold })).not.toThrow();
  });

  test('execution timeout shorter than the review window', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', {
      ...props(f),
      analyzers: [Analyzer.imageQuality()],
      reviewTimeout: Duration.hours(24),
      executionTimeout: Duration.hours(12),
    })).toThrow(/'executionTimeout' \(12 hours\) must exceed 'reviewTimeout' \(1 day\)/);
  });

  test('validation happens before any resource is created', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [], autoReleaseThreshold: 2 })).toThrow();
    const w = f.stack.node.tryFindChild('W');
    expect(w?.node.children ?? []).toHaveLength(0);
  });
});
