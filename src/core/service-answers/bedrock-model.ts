/**
 * What a Bedrock `modelId` names: a foundation model, a (cross-Region)
 * inference profile, an application inference profile, or another model ARN
 * (provisioned throughput, imported or custom model). Decides the IAM resources
 * the analyzer is granted and the model id/version its results record.
 */

export enum BedrockModelKind {
  FOUNDATION_MODEL = 'FOUNDATION_MODEL',
  INFERENCE_PROFILE = 'INFERENCE_PROFILE',
  APPLICATION_INFERENCE_PROFILE = 'APPLICATION_INFERENCE_PROFILE',
  OTHER_MODEL_ARN = 'OTHER_MODEL_ARN',
}

export interface BedrockModelReference {
  readonly kind: BedrockModelKind;
  /** The id or ARN as given (what Converse is called with). */
  readonly modelId: string;
  /** The foundation model behind it, when the name says it (foundation models, system-defined profiles). */
  readonly foundationModelId?: string;
  /** ARN given (profiles and other ARNs). */
  readonly arn?: string;
}

const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):(\d{12})?:([a-z-]+)\/(.+)$/;
/** A foundation model id is `<provider>.<model>[:<n>]`; a system-defined profile id puts a geography in front (`us.`, `eu.`, `global.` ...). */
const FOUNDATION_MODEL_ID = /^[a-z0-9-]+\.[A-Za-z0-9_-][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)*$/;
const PROFILE_ID = /^([a-z-]{2,10})\.([a-z0-9-]+\.[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*)$/;

/** Classifies a model id or ARN; throws for something Bedrock would not accept as a model. */
export function parseBedrockModel(modelId: string): BedrockModelReference {
  const arn = BEDROCK_ARN.exec(modelId);
  if (arn !== null) {
    const [, , , resourceType, resource] = arn;
    switch (resourceType) {
      case 'foundation-model':
        return { kind: BedrockModelKind.FOUNDATION_MODEL, modelId, foundationModelId: resource, arn: modelId };
      case 'inference-profile':
        return { kind: BedrockModelKind.INFERENCE_PROFILE, modelId, foundationModelId: profileModel(resource), arn: modelId };
      case 'application-inference-profile':
        return { kind: BedrockModelKind.APPLICATION_INFERENCE_PROFILE, modelId, arn: modelId };
      default:
        return { kind: BedrockModelKind.OTHER_MODEL_ARN, modelId, arn: modelId };
    }
  }
  const base = modelId.split(':')[0];
  // Two or more dots before the version: a geography in front of a foundation model id.
  if ((base.match(/\./g) ?? []).length >= 2 && PROFILE_ID.test(modelId)) {
    return { kind: BedrockModelKind.INFERENCE_PROFILE, modelId, foundationModelId: profileModel(modelId) };
  }
  if (FOUNDATION_MODEL_ID.test(modelId)) {
    return { kind: BedrockModelKind.FOUNDATION_MODEL, modelId, foundationModelId: modelId };
  }
  throw new Error(`Bedrock model '${modelId}' is neither a model id ('provider.model-v1:0'), an inference profile id nor a Bedrock ARN.`);
}

function profileModel(profileId: string): string | undefined {
  return PROFILE_ID.exec(profileId)?.[2];
}

/** The version part of a model id (`v2:0` of `anthropic.claude-3-5-sonnet-20241022-v2:0`), else 'unversioned'. */
export function modelVersionOf(modelId: string): string {
  const match = /-(v\d+(?::[A-Za-z0-9]+)*)$/.exec(modelId) ?? /:(\d+)$/.exec(modelId);
  return match === null ? 'unversioned' : match[1];
}
