/**
 * AWS clients created once per container (reused across invocations), traced
 * in X-Ray (tracer.ts) except S3, whose subsegments would carry object keys.
 */
/* eslint-disable import/no-extraneous-dependencies -- bundled into the Lambda asset, never a consumer dependency */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
/* eslint-enable import/no-extraneous-dependencies */
import { lazy } from './lazy';
import { traced } from './tracer';

// @__PURE__ lets the bundler drop the clients (and their SDK code) a handler never uses.
export const documentClient = /* @__PURE__ */ lazy(() =>
  DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } }),
);
export const s3Client = /* @__PURE__ */ lazy(() => new S3Client({}));
export const eventBridgeClient = /* @__PURE__ */ lazy(() => traced(new EventBridgeClient({})));
export const snsClient = /* @__PURE__ */ lazy(() => traced(new SNSClient({})));
// The endpoint comes from the region or AWS_ENDPOINT_URL_SQS (a VPC endpoint, the local runner), never from a queue URL's host.
export const sqsClient = /* @__PURE__ */ lazy(() => traced(new SQSClient({ useQueueUrlAsEndpoint: false })));
export const sfnClient = /* @__PURE__ */ lazy(() => traced(new SFNClient({})));
export const secretsManagerClient = /* @__PURE__ */ lazy(() => traced(new SecretsManagerClient({})));
export const rekognitionClient = /* @__PURE__ */ lazy(() => traced(new RekognitionClient({})));
export const bedrockRuntimeClient = /* @__PURE__ */ lazy(() => traced(new BedrockRuntimeClient({})));
export const sageMakerRuntimeClient = /* @__PURE__ */ lazy(() => traced(new SageMakerRuntimeClient({})));
