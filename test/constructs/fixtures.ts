import { App, Stack } from 'aws-cdk-lib';

export const ENV = { account: '111111111111', region: 'eu-west-1' };

export function newStack(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: ENV });
  return { app, stack };
}
