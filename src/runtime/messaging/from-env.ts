/** The message publisher a handler builds from the environment the constructs set (`ClinicianNotifier.messageEnvironment`). */
import { SNSClient } from '@aws-sdk/client-sns';
import { MessagePublisher } from './publish';
import { EnvVar } from '../../shared/env';
import { Environment, optionalEnv, requireEnv } from '../lambda/env';

export function messagePublisherFromEnv(client: SNSClient, env: Environment = process.env): MessagePublisher {
  const studyLinkTemplate = optionalEnv(EnvVar.STUDY_LINK_TEMPLATE, env);
  return { client, topicArn: requireEnv(EnvVar.TOPIC_ARN, env), ...(studyLinkTemplate === undefined ? {} : { studyLinkTemplate }) };
}
