/** AWS clients created once per container (reused across invocations). */
/* eslint-disable import/no-extraneous-dependencies -- bundled into the Lambda asset, never a consumer dependency */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
/* eslint-enable import/no-extraneous-dependencies */
import { lazy } from './lazy';


export const documentClient = lazy(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);
export const s3Client = lazy(() => new S3Client({}));
export const eventBridgeClient = lazy(() => new EventBridgeClient({}));
export const snsClient = lazy(() => new SNSClient({}));
export const sfnClient = lazy(() => new SFNClient({}));
export const secretsManagerClient = lazy(() => new SecretsManagerClient({}));
