import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { actionsOf, AslMachine, AslState, buildWorkflow, definitionOf, fixture, statementsOfRole, TOKEN } from './workflow-fixture';
import { Analyzer } from '../../../src/constructs/analyzers/analyzer';
import { AnalysisWorkflow } from '../../../src/constructs/workflow/analysis-workflow';
import { FindingAction, StudyPriority } from '../../../src/shared/finding-rules';

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
      'Awaiting late decision',
      'Decided',
      'Done',
      'Mark failed',
      'Needs review?',
      'Notify decision',
      'Notify outcome',
      'Notify review overdue',
      'Persist preliminary report',
      'Persist results',
      'Persist reviewed results',
      'Review deadline',
      'Review overdue',
      'Review required (ROUTINE)',
      'Review required (STAT)',
      'Review required (URGENT)',
      'Run analyzers',
      'Select images',
      'Study failed',
      'Superseded by a newer version',
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
      Parameters: {
        'studyKey.$': '$.studyKey',
        'version.$': '$.version',
        'results.$': '$.results',
        // The autoReleaseThreshold shorthand, as rules: at or above 0.8 released, anything else held.
        'findingRules': [{ match: { confidenceAtLeast: 0.8 }, action: 'RELEASE' }, { action: 'HOLD_FOR_REVIEW' }],
        'studyRequiresReview.$': '$.study.requiresReview',
      },
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
    const lambdaStates = [
      'Select images', 'Aggregate findings', 'Persist results', 'Notify outcome', 'Persist reviewed results', 'Notify decision',
      'Persist preliminary report', 'Notify review overdue', 'Mark failed',
    ];
    for (const name of lambdaStates) {
      const s = state(asl, name);
      expect(s.Resource).toBe('<token>:$LATEST'); // the function's $LATEST itself: payloadResponseOnly
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
    expect(choice.Choices).toEqual([{ Variable: '$.aggregate.reviewRequired', BooleanEquals: true, Next: 'Review deadline' }]);
    expect(choice.Default).toBe('Auto release');
  });

  test('the review deadline follows the priority (STAT 1 h, URGENT 4 h, ROUTINE 24 h by default); the task token goes to a function, never to the bus', () => {
    expect(state(asl, 'Review deadline').Choices).toEqual([
      { Variable: '$.aggregate.priority', StringEquals: 'STAT', Next: 'Review required (STAT)' },
      { Variable: '$.aggregate.priority', StringEquals: 'URGENT', Next: 'Review required (URGENT)' },
    ]);
    expect(state(asl, 'Review deadline').Default).toBe('Review required (ROUTINE)');
    for (const [priority, seconds] of [['STAT', 3600], ['URGENT', 4 * 3600], ['ROUTINE', 24 * 3600]] as const) {
      const review = state(asl, `Review required (${priority})`);
      expect(review.Resource).toMatch(/:states:::lambda:invoke\.waitForTaskToken$/);
      expect(review.TimeoutSeconds).toBe(seconds);
      expect(review).toMatchObject({ ResultPath: '$.review', Next: 'Persist reviewed results' });
      expect(review.Parameters).toEqual({
        FunctionName: `${TOKEN}:$LATEST`,
        Payload: {
          'studyKey.$': '$.studyKey',
          'version.$': '$.version',
          'taskToken.$': '$$.Task.Token',
          'aggregate.$': '$.aggregate',
          'results.$': '$.results',
          'deadlineSeconds': seconds,
        },
      });
      expect(review.Catch).toEqual([
        { ErrorEquals: ['States.Timeout'], Next: 'Review overdue', ResultPath: null },
        { ErrorEquals: ['StudySuperseded'], Next: 'Superseded by a newer version', ResultPath: null },
        { ErrorEquals: ['States.ALL'], Next: 'Mark failed', ResultPath: '$.error' },
      ]);
    }
    expect(state(asl, 'Superseded by a newer version').Type).toBe('Succeed');
    expect(state(asl, 'Review overdue')).toMatchObject({
      Type: 'Pass', Result: { decision: 'TIMED_OUT' }, ResultPath: '$.review', Next: 'Persist preliminary report',
    });
    expect(state(asl, 'Persist preliminary report').Next).toBe('Notify review overdue');
    expect(state(asl, 'Notify review overdue').Parameters).toMatchObject({ 'detailType': 'Review Overdue', 'review.$': '$.review' });
    expect(state(asl, 'Notify decision').Parameters).toMatchObject({ 'detailType': 'Analysis Completed', 'review.$': '$.review' });
    // No state puts events itself: every event is published by a function that keeps tokens out of it.
    expect(JSON.stringify(asl)).not.toMatch(/putEvents/);
  });

  test('every main-chain step catches all errors into Mark failed, which fails the execution', () => {
    for (const name of ['Select images', 'Run analyzers', 'Aggregate findings', 'Persist results', 'Notify outcome',
      'Persist reviewed results', 'Notify decision', 'Persist preliminary report', 'Notify review overdue']) {
      expect(state(asl, name).Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Mark failed', ResultPath: '$.error' }]);
    }
    const markFailed = state(asl, 'Mark failed');
    expect(markFailed.Parameters).toEqual({ 'studyKey.$': '$.studyKey', 'version.$': '$.version', 'error.$': '$.error' });
    expect(markFailed).toMatchObject({ Next: 'Study failed', ResultPath: null });
    expect(markFailed.Catch).toBeUndefined();
    expect(state(asl, 'Study failed')).toMatchObject({ Type: 'Fail', Error: 'StudyFailed' });
  });

  test('one branch per analyzer: plan, applies?, inline or distributed batches, collect; any branch error is one FAILED outcome', () => {
    const branches = state(asl, 'Run analyzers').Branches!;
    expect(branches).toHaveLength(2);
    const expected = [
      { name: 'image-quality', modelId: 'image-quality', modelVersion: 'builtin', batchSize: 25, selection: { strategy: 'ALL' } },
      { name: 'chest-xray', modelId: 'unknown', modelVersion: 'unknown', batchSize: 10, selection: { strategy: 'ALL' } },
    ];
    branches.forEach((branch, index) => {
      const { name, modelId, modelVersion, batchSize, selection } = expected[index];
      expect(branch.StartAt).toBe(`Plan ${name}`);
      expect(Object.keys(branch.States).sort()).toEqual([
        `${name} applies?`, `${name} batches`, `${name} batches (large study)`, `${name} failed`, `${name} skipped`, `${name}: how many images?`,
        `Collect ${name}`, `Plan ${name}`,
      ].sort());
      const plan = branch.States[`Plan ${name}`];
      expect(plan).toMatchObject({ ResultPath: '$.plan', Next: `${name} applies?` });
      // The whole study: in a re-analysis version it holds the order (`reanalysis`, from Select images), so the plan looks nothing up.
      expect(plan.Parameters).toEqual({ 'analyzerName': name, 'study.$': '$.study', selection, batchSize });
      expect(branch.States[`${name} applies?`]).toMatchObject({
        Choices: [{ Variable: '$.plan.applies', BooleanEquals: false, Next: `${name} skipped` }],
        Default: `${name}: how many images?`,
      });
      expect(branch.States[`${name}: how many images?`]).toMatchObject({
        Choices: [{ Variable: '$.plan.mode', StringEquals: 'DISTRIBUTED', Next: `${name} batches (large study)` }],
        Default: `${name} batches`,
      });
      const outcome = { analyzerName: name, modelId, modelVersion, findingCount: 0, durationMs: 0, imageCount: 0, failedImageCount: 0 };
      expect(branch.States[`${name} skipped`]).toEqual({
        Type: 'Pass', End: true, Parameters: { ...outcome, 'status': 'SKIPPED', 'skipReason.$': '$.plan.skipReason' },
      });
      expect(branch.States[`${name} failed`]).toEqual({
        Type: 'Pass', End: true, Parameters: { ...outcome, 'status': 'FAILED', 'errorCode': 'ANALYZER_ERROR', 'errorName.$': '$.branchError.Error' },
      });
      for (const step of [`Plan ${name}`, `${name} batches`, `${name} batches (large study)`, `Collect ${name}`]) {
        expect(branch.States[step].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: `${name} failed`, ResultPath: '$.branchError' }]);
      }
      expect(branch.States[`Collect ${name}`]).toMatchObject({
        End: true,
        Parameters: { 'analyzerName': name, modelId, modelVersion, 'study.$': '$.study', 'plan.$': '$.plan' },
      });
      expect(branch.States[`Collect ${name}`].ResultPath).toBeUndefined(); // the outcome replaces the branch state
    });
  });

  test('batches: inline Map over $.plan.batches, Distributed Map reading the batches object; both discard their output', () => {
    const branch = state(asl, 'Run analyzers').Branches![1];
    const selector = {
      'schemaVersion': '2.0',
      'analyzerName': 'chest-xray',
      'study.$': '$.study',
      'batch.$': '$$.Map.Item.Value',
      'resultsPrefix.$': '$.plan.resultsPrefix',
    };
    const inline = branch.States['chest-xray batches'] as AslState & Record<string, unknown>;
    expect(inline).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.batches', ItemSelector: selector, MaxConcurrency: 4, ResultPath: null, Next: 'Collect chest-xray' });
    const distributed = branch.States['chest-xray batches (large study)'] as AslState & Record<string, unknown>;
    expect(distributed).toMatchObject({
      Type: 'Map',
      ItemSelector: selector,
      MaxConcurrency: 4,
      ToleratedFailurePercentage: 100,
      ResultPath: null,
      Next: 'Collect chest-xray',
      ItemReader: {
        Resource: `arn:${TOKEN}:states:::s3:getObject`,
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket': TOKEN, 'Key.$': '$.plan.batchesObject.key' },
      },
      ResultWriter: { Resource: `arn:${TOKEN}:states:::s3:putObject`, Parameters: { Bucket: TOKEN, Prefix: 'analysis-map-runs/' } },
    });
    // A user function without a known timeout may run long: Standard children; image-quality (1 min) fits Express.
    expect((distributed.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const qc = state(asl, 'Run analyzers').Branches![0].States['image-quality batches (large study)'] as AslState & Record<string, unknown>;
    expect((qc.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
  });

  test('a batch: the analyzer in a one-branch Parallel (retried on throttling and timeouts), then its result or failure recorded', () => {
    const inline = state(asl, 'Run analyzers').Branches![1].States['chest-xray batches'] as AslState & { ItemProcessor: AslMachine };
    const processor = inline.ItemProcessor;
    expect(processor.StartAt).toBe('Analyze chest-xray batch');
    const analyze = processor.States['Analyze chest-xray batch'];
    expect(analyze).toMatchObject({
      Type: 'Parallel',
      ResultPath: '$.outcome',
      Next: 'Record chest-xray batch',
    });
    expect((analyze as unknown as { ResultSelector: unknown }).ResultSelector).toEqual({ 'result.$': '$[0]' });
    expect(analyze.Retry).toEqual([
      {
        ErrorEquals: ['AnalyzerThrottledError', 'AnalyzerUnavailableError'],
        IntervalSeconds: 2,
        MaxAttempts: 5,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      },
      {
        ErrorEquals: ['AnalyzerTimeoutError', 'States.Timeout', 'Sandbox.Timedout'],
        IntervalSeconds: 5,
        MaxAttempts: 1,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
    ]);
    expect(analyze.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Record chest-xray failure', ResultPath: '$.failure' }]);
    const task = analyze.Branches![0].States['Analyze chest-xray'];
    expect(task.Parameters).toEqual({ 'schemaVersion': '2.0', 'analyzerName': 'chest-xray', 'study.$': '$.study', 'batch.$': '$.batch' });
    expect(task.Retry![0].ErrorEquals).toEqual(LAMBDA_SERVICE_ERRORS);
    const recorded = { 'analyzerName': 'chest-xray', 'study.$': '$.study', 'batch.$': '$.batch', 'resultsPrefix.$': '$.resultsPrefix' };
    expect(processor.States['Record chest-xray batch']).toMatchObject({ End: true, Parameters: { ...recorded, 'result.$': '$.outcome.result' } });
    expect(processor.States['Record chest-xray failure']).toMatchObject({ End: true, Parameters: { ...recorded, 'failure.$': '$.failure' } });
    // The distributed copy has the same states under their own names.
    const distributed = state(asl, 'Run analyzers').Branches![1].States['chest-xray batches (large study)'] as AslState & { ItemProcessor: AslMachine };
    expect(Object.keys(distributed.ItemProcessor.States).sort()).toEqual([
      'Analyze chest-xray batch (large study)', 'Record chest-xray batch (large study)', 'Record chest-xray failure (large study)',
    ]);
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

  test('review deadlines, threshold and execution timeout are applied', () => {
    const { template } = buildWorkflow({
      analyzers: [Analyzer.imageQuality()],
      reviewDeadlines: { routine: Duration.hours(4), stat: Duration.minutes(15) },
      autoReleaseThreshold: 0.65,
    });
    const asl = definitionOf(template);
    expect(state(asl, 'Review required (ROUTINE)').TimeoutSeconds).toBe(4 * 3600);
    expect(state(asl, 'Review required (URGENT)').TimeoutSeconds).toBe(4 * 3600);
    expect(state(asl, 'Review required (STAT)').TimeoutSeconds).toBe(15 * 60);
    expect(state(asl, 'Aggregate findings').Parameters).toMatchObject({
      findingRules: [{ match: { confidenceAtLeast: 0.65 }, action: 'RELEASE' }, { action: 'HOLD_FOR_REVIEW' }],
    });
    expect(asl.TimeoutSeconds).toBe(6 * 3600);
  });

  test('finding rules go into the aggregate step as given', () => {
    const findingRules = [
      { match: { labels: ['Pneumothorax'] }, action: FindingAction.HOLD_FOR_REVIEW, priority: StudyPriority.STAT },
      { action: FindingAction.RELEASE },
    ];
    const { template } = buildWorkflow({ analyzers: [Analyzer.imageQuality()], findingRules });
    expect(state(definitionOf(template), 'Aggregate findings').Parameters).toMatchObject({ findingRules });
  });

  test('default execution timeout is 2 h plus the longest (24 h) review deadline', () => {
    const { template } = buildWorkflow({ analyzers: [Analyzer.imageQuality()] });
    expect(definitionOf(template).TimeoutSeconds).toBe(26 * 3600);
  });

  test("a multi-state analyzer's batch states go inside the batch Parallel, once per map", () => {
    const { template } = buildWorkflow({
      analyzers: [{
        bind: () => ({
          analyzerName: 'custom',
          batchTask: {
            createStates: (scope: Construct, id: string, suffix: string) => new sfn.Pass(scope, `${id}Prepare`, { stateName: `custom prepare${suffix}` })
              .next(new sfn.Pass(scope, `${id}Result`, { stateName: `custom result${suffix}` })),
          },
        }),
      }],
    });
    const branch = state(definitionOf(template), 'Run analyzers').Branches![0];
    const inline = branch.States['custom batches'] as AslState & { ItemProcessor: AslMachine };
    const wrapper = inline.ItemProcessor.States['Analyze custom batch'];
    expect(wrapper.Branches![0].StartAt).toBe('custom prepare');
    expect(Object.keys(wrapper.Branches![0].States).sort()).toEqual(['custom prepare', 'custom result']);
    const distributed = branch.States['custom batches (large study)'] as AslState & { ItemProcessor: AslMachine };
    expect(distributed.ItemProcessor.States['Analyze custom batch (large study)'].Branches![0].StartAt).toBe('custom prepare (large study)');
    // Defaults for a binding that sets nothing: every image, one per batch, 4 at a time.
    expect(branch.States['Plan custom'].Parameters).toMatchObject({ selection: { strategy: 'ALL' }, batchSize: 1 });
    expect(branch.States['custom batches']).toMatchObject({ MaxConcurrency: 4 });
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
    const latestOf = (arn: unknown) => ({ 'Fn::Join': ['', [arn, ':$LATEST']] });
    const fnArn = (fn: lambda.IFunction) => latestOf(built.stack.resolve(fn.functionArn));
    const expectedFns: unknown[] = [
      workflow.selectImagesFunction,
      workflow.planAnalysisFunction,
      workflow.recordBatchFunction,
      workflow.collectAnalysisFunction,
      workflow.aggregateFindingsFunction,
      workflow.requestReviewFunction,
      workflow.persistResultsFunction,
      workflow.notifyOutcomeFunction,
      workflow.markFailedFunction,
    ].map(fnArn);
    const analyzerFns = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Image-quality analyzer') },
    });
    expect(Object.keys(analyzerFns)).toHaveLength(1);
    expectedFns.push(latestOf({ 'Fn::GetAtt': [Object.keys(analyzerFns)[0], 'Arn'] }));
    expectedFns.push('arn:aws:lambda:eu-west-1:111122223333:function:chest-xray:$LATEST');
    // The $LATEST each task names, one per function: no other version or alias (no `<ARN>:*`).
    expect(invoked).toHaveLength(expectedFns.length);
    for (const arn of expectedFns) expect(invoked).toContainEqual(arn);
    expect(actionsOf(statements).every((a) => a !== '*' && !a.endsWith(':*'))).toBe(true);
    // The state machine publishes nothing itself: its functions do (and keep task tokens out).
    expect(actionsOf(statements)).not.toContain('events:PutEvents');
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
      [...new Set(actionsOf(statementsOfRole(template, roleOf(fn))).filter((a) => !/^(xray|logs):/.test(a)))].sort();
    expect(dataActions(workflow.selectImagesFunction)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 's3:PutObject'].sort(),
    );
    for (const fn of [workflow.planAnalysisFunction, workflow.recordBatchFunction, workflow.collectAnalysisFunction]) {
      expect(dataActions(fn)).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 's3:GetObject', 's3:PutObject']);
    }
    // Reads the analyzers' results from S3 and writes the triage beside them.
    expect(dataActions(workflow.aggregateFindingsFunction)).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 's3:GetObject', 's3:PutObject']);
    expect(dataActions(workflow.persistResultsFunction)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 's3:GetObject', 's3:PutObject'].sort(),
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
    expect(env(workflow.aggregateFindingsFunction)).toMatchObject({ DERIVED_BUCKET: derived });
    const reports = built.stack.resolve(store.reportsBucket.bucketName);
    expect(env(workflow.persistResultsFunction)).toMatchObject({ TABLE_NAME: table, REPORTS_BUCKET: reports });
    expect(Object.keys(env(workflow.notifyOutcomeFunction))).toEqual(expect.arrayContaining(['EVENT_BUS_NAME', 'TOPIC_ARN']));
    expect(Object.keys(env(workflow.markFailedFunction))).toEqual(expect.arrayContaining(['TABLE_NAME', 'EVENT_BUS_NAME', 'TOPIC_ARN']));
  });

  test('the analyzer plumbing and the Distributed Maps touch only studies/ and the map-run prefix of the derived bucket', () => {
    const derivedArn = built.stack.resolve(store.derivedImagesBucket.bucketArn);
    const under = (prefix: string) => ({ 'Fn::Join': ['', [derivedArn, `/${prefix}*`]] });
    const roleId = logicalIdOf(built, workflow.stateMachine.role.node.defaultChild);
    const s3 = statementsOfRole(template, roleId).filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: under('studies/') }),
      expect.objectContaining({
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: under('analysis-map-runs/'),
      }),
    ]));
    expect(s3).toHaveLength(2);
    const plumbing = [
      workflow.planAnalysisFunction, workflow.recordBatchFunction, workflow.collectAnalysisFunction, workflow.aggregateFindingsFunction,
    ];
    for (const fn of plumbing) {
      const statements = statementsOfRole(template, logicalIdOf(built, fn.role!.node.defaultChild));
      const resources = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:'))).map((s) => s.Resource);
      expect(resources).toEqual([under('studies/'), under('studies/')]);
    }
  });

  test('an execution that fails, times out or is aborted goes to a function that marks the study FAILED', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { stateMachineArn: [built.stack.resolve(workflow.stateMachine.stateMachineArn)], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [Match.objectLike({
        Arn: built.stack.resolve(workflow.executionEndedFunction.functionArn),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      })],
    });
    const env = template.toJSON().Resources[logicalIdOf(built, workflow.executionEndedFunction.node.defaultChild)].Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['TABLE_NAME', 'EVENT_BUS_NAME', 'TOPIC_ARN']));
  });

  test('no public way to answer review tokens: only the review API function is given SendTaskSuccess', () => {
    expect((workflow as unknown as Record<string, unknown>).grantSendTaskResponse).toBeUndefined();
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => actionsOf(p.Properties.PolicyDocument.Statement));
    expect(actions).not.toContain('states:SendTaskSuccess');
  });

  test('the review request function: table and publishing, nothing else', () => {
    const fn = workflow.requestReviewFunction;
    const actions = [...new Set(actionsOf(statementsOfRole(template, logicalIdOf(built, fn.role!.node.defaultChild))).filter((a) => !/^(xray|logs):/.test(a)))].sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents',
      'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'sns:Publish']);
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

  test('finding rules and the threshold shorthand are exclusive; invalid rules are refused', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'A', {
      ...props(f), analyzers: [Analyzer.imageQuality()], autoReleaseThreshold: 0.5, findingRules: [{ action: FindingAction.RELEASE }],
    })).toThrow(/either 'findingRules' or 'autoReleaseThreshold'/);
    expect(() => new AnalysisWorkflow(f.stack, 'B', {
      ...props(f), analyzers: [Analyzer.imageQuality()], findingRules: [{ match: { code: '1' }, action: FindingAction.RELEASE }],
    })).toThrow(/'findingRules': rule 0: give code and codeSystem together/);
  });

  test('execution timeout shorter than the longest review deadline', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', {
      ...props(f),
      analyzers: [Analyzer.imageQuality()],
      reviewDeadlines: { routine: Duration.hours(24) },
      executionTimeout: Duration.hours(12),
    })).toThrow(/'executionTimeout' \(12 hours\) must exceed the longest review deadline \(1 day\)/);
    expect(() => new AnalysisWorkflow(f.stack, 'X', {
      ...props(f), analyzers: [Analyzer.imageQuality()], reviewDeadlines: { stat: Duration.millis(10) },
    })).toThrow(/'reviewDeadlines.stat' must be a whole number of seconds, at least 1/);
  });

  test('validation happens before any resource is created', () => {
    const f = fixture();
    expect(() => new AnalysisWorkflow(f.stack, 'W', { ...props(f), analyzers: [], autoReleaseThreshold: 2 })).toThrow();
    const w = f.stack.node.tryFindChild('W');
    expect(w?.node.children ?? []).toHaveLength(0);
  });
});
