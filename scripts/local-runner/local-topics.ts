/** SNS, locally: Publish to a topic of the template is recorded, not sent. */
import * as crypto from 'crypto';
import { ServiceError } from './aws-stand-ins';
import type { LocalNames } from './template';

export interface Notification {
  readonly at: number;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

export class LocalTopics {
  public readonly notifications: Notification[] = [];

  constructor(private readonly names: LocalNames) {}

  public publish(message: { topicArn: string; subject?: string; message: string }): string {
    if (this.names.logicalIdOf(message.topicArn, 'AWS::SNS::Topic') === undefined) {
      throw new ServiceError('NotFound', 'Topic does not exist');
    }
    this.notifications.push({ at: Date.now(), ...message });
    return crypto.randomUUID();
  }
}
