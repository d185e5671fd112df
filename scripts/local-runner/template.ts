/**
 * Synthesizes the example app in-process and reads everything the local run
 * needs from the synthesized CloudFormation template: the state machine
 * definition, functions (bundled asset, handler, environment, concurrency),
 * buckets, table, queues, rules and event source mappings. CloudFormation
 * tokens (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, pseudo parameters) resolve to
 * local names and ARNs, so nothing is copied from the construct code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../examples/app';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_PARTITION = 'aws';

/** One CloudFormation resource as synthesized. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface SynthesizedExample {
  /** Cloud assembly directory (holds the template and the staged Lambda assets). */
  readonly assemblyDir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly templateFile: string;
  /** `objectKey` of each file asset (what a Lambda's `Code.S3Key` names) -> staged directory. */
  readonly assetDirs: ReadonlyMap<string, string>;
}

/**
 * The context that turns on the example's Bedrock and SageMaker analyzers in a
 * local run: the AI stand-ins (ai-stand-ins.ts) answer for this model and endpoint.
 */
export const LOCAL_AI_CONTEXT: Readonly<Record<string, string>> = {
  bedrockModelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  sageMakerEndpointName: 'local-cxr-detector',
};

/**
 * Synthesizes `buildExampleApp()` into `outdir` with the given CDK context
 * (e.g. `{ autoReleaseThreshold: '0.3' }`) over `LOCAL_AI_CONTEXT`, exactly
 * as `cdk synth -c ...` would.
 */
export function synthesizeExample(outdir: string, context: Record<string, string> = {}): SynthesizedExample {
  fs.rmSync(outdir, { recursive: true, force: true });
  const { app, stack } = buildExampleApp(new App({ outdir, context: { ...LOCAL_AI_CONTEXT, ...context } }));
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const assetDirs = new Map<string, string>();
  const manifestFile = path.join(outdir, `${artifact.stackName}.assets.json`);
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      files?: Record<string, { source: { path?: string }; destinations: Record<string, { objectKey: string }> }>;
    };
    for (const file of Object.values(manifest.files ?? {})) {
      for (const destination of Object.values(file.destinations)) {
        if (file.source.path !== undefined) {
          assetDirs.set(destination.objectKey, path.join(outdir, file.source.path));
        }
      }
    }
  }
  return {
    assemblyDir: outdir,
    stackName: artifact.stackName,
    template: artifact.template as CfnTemplate,
    templateFile: path.join(outdir, artifact.templateFile),
    assetDirs,
  };
}

/** Local physical names and ARNs of the template's resources. */
export class LocalNames {
  constructor(private readonly template: CfnTemplate, private readonly stackName: string) {}

  /** What `Ref` returns for a resource (name, ARN or URL, by type). */
  public ref(logicalId: string): string {
    const resource = this.resource(logicalId);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return typeof props.BucketName === 'string' ? props.BucketName : bucketName(logicalId);
      case 'AWS::DynamoDB::Table':
        return typeof props.TableName === 'string' ? props.TableName : logicalId;
      case 'AWS::Events::EventBus':
        return typeof props.Name === 'string' ? props.Name : logicalId;
      case 'AWS::Lambda::Function':
        return typeof props.FunctionName === 'string' ? props.FunctionName : logicalId;
      case 'AWS::SQS::Queue':
        return `http://sqs.local/${LOCAL_ACCOUNT}/${this.name(logicalId)}`;
      default:
        return this.arn(logicalId);
    }
  }

  /** What `Fn::GetAtt [logicalId, attribute]` returns. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName') return this.name(logicalId);
    if (attribute === 'QueueUrl') return this.ref(logicalId);
    if (attribute === 'TopicArn') return this.arn(logicalId);
    throw new Error(`Local runner: Fn::GetAtt ${attribute} of ${resource.Type} is not mapped`);
  }

  public name(logicalId: string): string {
    const resource = this.resource(logicalId);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
        return logicalId;
      default:
        return this.ref(logicalId);
    }
  }

  public arn(logicalId: string): string {
    const resource = this.resource(logicalId);
    const prefix = (service: string) => `arn:${LOCAL_PARTITION}:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
    switch (resource.Type) {
      case 'AWS::S3::Bucket': return `arn:${LOCAL_PARTITION}:s3:::${this.ref(logicalId)}`;
      case 'AWS::DynamoDB::Table': return `${prefix('dynamodb')}:table/${this.ref(logicalId)}`;
      case 'AWS::Events::EventBus': return `${prefix('events')}:event-bus/${this.ref(logicalId)}`;
      case 'AWS::Events::Rule': return `${prefix('events')}:rule/${logicalId}`;
      case 'AWS::Lambda::Function': return `${prefix('lambda')}:function:${this.ref(logicalId)}`;
      case 'AWS::SQS::Queue': return `${prefix('sqs')}:${logicalId}`;
      case 'AWS::SNS::Topic': return `${prefix('sns')}:${logicalId}`;
      case 'AWS::SecretsManager::Secret': return `${prefix('secretsmanager')}:secret:${logicalId}-local`;
      case 'AWS::StepFunctions::StateMachine': return `${prefix('states')}:stateMachine:${logicalId}`;
      case 'AWS::KMS::Key': return `${prefix('kms')}:key/${logicalId}`;
      case 'AWS::IAM::Role': return `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT}:role/${logicalId}`;
      case 'AWS::Logs::LogGroup': return `${prefix('logs')}:log-group:${logicalId}:*`;
      default: return `${prefix('local')}:${resource.Type.replace(/::/g, '-').toLowerCase()}/${logicalId}`;
    }
  }

  public pseudo(name: string): string {
    switch (name) {
      case 'AWS::Partition': return LOCAL_PARTITION;
      case 'AWS::Region': return LOCAL_REGION;
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:${LOCAL_PARTITION}:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${this.stackName}/local`;
      default: throw new Error(`Local runner: pseudo parameter ${name} is not mapped`);
    }
  }

  /** Resolves every intrinsic in `value` (deeply) to local strings. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = object[key];
      switch (key) {
        case 'Ref': {
          const name = String(arg);
          return name.startsWith('AWS::') ? this.pseudo(name) : this.ref(name);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg as [string, Record<string, unknown>];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            if (name.startsWith('AWS::')) return this.pseudo(name);
            const [id, attribute] = name.split('.');
            return attribute === undefined ? this.ref(id) : this.getAtt(id, attribute);
          });
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(list) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        default:
          if (key.startsWith('Fn::')) throw new Error(`Local runner: intrinsic ${key} is not mapped`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(object[k])]));
  }

  /**
   * The function a Lambda task or integration names: by name or ARN, unqualified
   * or qualified with `$LATEST` (the library's Step Functions tasks name
   * `<function ARN>:$LATEST`, so that their grant needs no `:*`).
   */
  public functionOf(nameOrArn: string): string | undefined {
    return this.logicalIdOf(nameOrArn.replace(/:\$LATEST$/, ''), 'AWS::Lambda::Function');
  }

  /** The logical id whose local ARN (or name) is `arnOrName`, if any. */
  public logicalIdOf(arnOrName: string, type?: string): string | undefined {
    return Object.keys(this.template.Resources).find((id) => {
      const resource = this.template.Resources[id];
      if (type !== undefined && resource.Type !== type) return false;
      try {
        return this.arn(id) === arnOrName || this.ref(id) === arnOrName;
      } catch {
        return false;
      }
    });
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`Local runner: no resource ${logicalId} in the template`);
    return resource;
  }
}

/** S3 bucket names are lowercase and at most 63 characters. */
function bucketName(logicalId: string): string {
  return `local-${logicalId.toLowerCase()}`.slice(0, 63);
}

/** Resources of one type, with their logical ids. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
