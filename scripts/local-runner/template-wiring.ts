/**
 * Finds the pipeline's pieces through the template's own wiring (event source
 * mapping -> ingest function and queue, schedule -> sweeper, ...) and turns
 * each function of the template into a `FunctionSpec` for the local host.
 */
import * as path from 'path';
import { EngineEndpoints, FAKE_CREDENTIALS } from './engines';
import { FunctionSpec } from './lambda-host';
import { CfnTemplate, LOCAL_REGION, LocalNames, resourcesOfType, SynthesizedExample } from './template';
import { mapTaskStates } from './workflow';

/** Resolved names the pipeline uses. */
export interface PipelineResources {
  tableName: string;
  uploadBucket: string;
  uploadPrefix: string;
  derivedBucket: string;
  reportsBucket: string;
  /** The pipeline's event bus (its name), where `Analysis Requested` events go. */
  eventBusName: string;
  ingestQueue: string;
  deadLetterQueue: string;
  ingestFunction: string;
  sweeperFunction: string;
  stateMachineArn: string;
}

export type StateMachineDefinition = Parameters<typeof mapTaskStates>[0];

export interface PipelineWiring {
  readonly resources: PipelineResources;
  readonly definition: StateMachineDefinition;
}

export function findPipeline(template: CfnTemplate, names: LocalNames): PipelineWiring {
  const [, esm] = single(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'), 'event source mapping');
  const esmProps = names.resolve(esm.Properties) as Record<string, unknown>;
  const ingestFunction = names.logicalIdOf(String(esmProps.FunctionName), 'AWS::Lambda::Function')!;
  const ingestQueue = names.logicalIdOf(String(esmProps.EventSourceArn), 'AWS::SQS::Queue')!;
  const queueProps = names.resolve(template.Resources[ingestQueue].Properties) as Record<string, unknown>;
  const redrive = queueProps.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
  const deadLetterQueue = redrive === undefined ? '' : names.logicalIdOf(redrive.deadLetterTargetArn, 'AWS::SQS::Queue')!;
  const environment = (logicalId: string) => functionEnvironment(template, names, logicalId);
  const ingestEnv = environment(ingestFunction);
  const schedule = resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) => r.Properties?.ScheduleExpression !== undefined);
  const sweeperArn = schedule === undefined ? '' : String((names.resolve(schedule[1].Properties?.Targets) as Array<{ Arn: string }>)[0].Arn);
  // The analysis state machine is the one ingest starts (the template may hold others: the re-analysis).
  const stateMachineId = ingestEnv.STATE_MACHINE_ARN === undefined
    ? single(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'), 'state machine')[0]
    : names.logicalIdOf(ingestEnv.STATE_MACHINE_ARN, 'AWS::StepFunctions::StateMachine')!;
  const persistFunction = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => environment(id).REPORTS_BUCKET !== undefined);
  const resources: PipelineResources = {
    tableName: ingestEnv.TABLE_NAME,
    uploadBucket: ingestEnv.UPLOAD_BUCKET,
    uploadPrefix: ingestEnv.UPLOAD_PREFIX ?? '',
    derivedBucket: ingestEnv.DERIVED_BUCKET,
    reportsBucket: persistFunction === undefined ? '' : environment(persistFunction[0]).REPORTS_BUCKET,
    eventBusName: ingestEnv.EVENT_BUS_NAME,
    ingestQueue,
    deadLetterQueue,
    ingestFunction,
    sweeperFunction: names.logicalIdOf(sweeperArn, 'AWS::Lambda::Function') ?? '',
    stateMachineArn: names.arn(stateMachineId),
  };
  const definition = JSON.parse(String(names.resolve(template.Resources[stateMachineId].Properties?.DefinitionString)));
  return { resources, definition };
}

export interface StateMachineWiring {
  readonly stateMachineArn: string;
  readonly definition: StateMachineDefinition;
}

/** The re-analysis state machine (`StudyReanalysis`), found by its first state; undefined when the template has none. */
export function findReanalysis(template: CfnTemplate, names: LocalNames): StateMachineWiring | undefined {
  for (const [id, resource] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
    const definition = JSON.parse(String(names.resolve(resource.Properties?.DefinitionString))) as StateMachineDefinition;
    if (definition.StartAt === 'Select studies') return { stateMachineArn: names.arn(id), definition };
  }
  return undefined;
}

/** A function's environment variables as the template sets them, resolved. */
export function functionEnvironment(template: CfnTemplate, names: LocalNames, logicalId: string): Record<string, string> {
  const props = template.Resources[logicalId].Properties ?? {};
  const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return names.resolve(variables) as Record<string, string>;
}

export interface FunctionSpecOptions {
  readonly example: SynthesizedExample;
  readonly names: LocalNames;
  readonly endpoints: EngineEndpoints;
  /** Endpoint variables of the AWS stand-ins. */
  readonly standInEnvironment: Record<string, string>;
  readonly workDir: string;
  readonly maxEnvironmentsPerFunction: number;
  readonly quietPeriodSeconds?: number;
  /** Receives every setting changed from the template. */
  readonly overrides: Record<string, string>;
}

export function functionSpecs(options: FunctionSpecOptions): FunctionSpec[] {
  const { example, names, endpoints, workDir, overrides } = options;
  const maxEnvironments = options.maxEnvironmentsPerFunction;
  return resourcesOfType(example.template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const code = names.resolve(props.Code) as { S3Key?: string };
    const assetDir = code.S3Key === undefined ? undefined : example.assetDirs.get(code.S3Key);
    if (assetDir === undefined) throw new Error(`Local runner: function ${logicalId} has no staged asset`);
    const handler = String(props.Handler);
    const dot = handler.lastIndexOf('.');
    const functionName = names.ref(logicalId);
    const memoryMb = Number(props.MemorySize ?? 128);
    const template = functionEnvironment(example.template, names, logicalId);
    // NODE_OPTIONS cannot apply to a worker thread; source maps are off in the bundles anyway.
    delete template.NODE_OPTIONS;
    if (options.quietPeriodSeconds !== undefined && template.QUIET_PERIOD_SECONDS !== undefined) {
      overrides[`${logicalId}.QUIET_PERIOD_SECONDS`] = `${template.QUIET_PERIOD_SECONDS} -> ${options.quietPeriodSeconds}`;
      template.QUIET_PERIOD_SECONDS = String(options.quietPeriodSeconds);
    }
    return {
      logicalId,
      functionName,
      entry: require.resolve(path.join(assetDir, handler.slice(0, dot))),
      handlerName: handler.slice(dot + 1),
      timeoutSeconds: Number(props.Timeout ?? 3),
      memoryMb,
      concurrency: Math.max(1, Math.min(maxEnvironments, Number(props.ReservedConcurrentExecutions ?? maxEnvironments))),
      environment: {
        ...template,
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
        ...options.standInEnvironment,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_EXECUTION_ENV: `AWS_Lambda_${String(props.Runtime ?? 'nodejs')}`,
        LAMBDA_TASK_ROOT: assetDir,
        TZ: 'UTC',
      },
    };
  });
}

function single<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`Local runner: expected one ${what} in the template, found ${items.length}`);
  return items[0];
}

/** One method of an API Gateway REST API in the template. */
export interface ApiRoute {
  readonly httpMethod: string;
  /** Resource path with its parameters, e.g. `/studies/{studyKey}/decision`. */
  readonly resourcePath: string;
  /** AWS_IAM, COGNITO_USER_POOLS, ... */
  readonly authorizationType: string;
  /** The function of its Lambda proxy integration. */
  readonly functionLogicalId: string;
}

export interface RestApiWiring {
  readonly restApiLogicalId: string;
  readonly stageName: string;
  readonly routes: readonly ApiRoute[];
}

/**
 * The REST API of the template (the review API), read from its Resource and
 * Method resources; undefined when the template has none. Only Lambda proxy
 * integrations are served locally: any other integration makes the runner refuse.
 */
export function findRestApi(template: CfnTemplate, names: LocalNames): RestApiWiring | undefined {
  const apis = resourcesOfType(template, 'AWS::ApiGateway::RestApi');
  if (apis.length === 0) return undefined;
  const [restApiLogicalId] = single(apis, 'REST API');
  const resources = template.Resources;
  const pathOf = (parent: unknown): string => {
    const id = (parent as { Ref?: string }).Ref;
    if (id === undefined) return ''; // Fn::GetAtt [api, RootResourceId]
    const props = resources[id].Properties ?? {};
    return `${pathOf(props.ParentId)}/${String(props.PathPart)}`;
  };
  const routes = resourcesOfType(template, 'AWS::ApiGateway::Method').map(([id, method]): ApiRoute => {
    const props = method.Properties ?? {};
    const integration = props.Integration as { Type?: string; Uri?: unknown } | undefined;
    const uri = String(names.resolve(integration?.Uri ?? ''));
    const functionArn = /\/functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1];
    const functionLogicalId = functionArn === undefined ? undefined : names.logicalIdOf(functionArn, 'AWS::Lambda::Function');
    if (integration?.Type !== 'AWS_PROXY' || functionLogicalId === undefined) {
      throw new Error(`Local runner: API method ${id} is not a Lambda proxy integration of a function in the template`);
    }
    return {
      httpMethod: String(props.HttpMethod),
      resourcePath: pathOf(props.ResourceId) || '/',
      authorizationType: String(props.AuthorizationType ?? 'NONE'),
      functionLogicalId,
    };
  });
  const [, stage] = single(resourcesOfType(template, 'AWS::ApiGateway::Stage'), 'API stage');
  return { restApiLogicalId, stageName: String(stage.Properties?.StageName), routes };
}
