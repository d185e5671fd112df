import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { newStack } from './fixtures';
import { expectNoNagFindings, nagFindings } from '../support/nag';

describe('nag helper', () => {
  test('fails, listing rule and path, when a finding is not acknowledged', () => {
    const { app, stack } = newStack();
    new s3.Bucket(stack, 'Plain');
    expect(() => expectNoNagFindings(app)).toThrow(/AwsSolutions-S10 at TestStack\/Plain\/Resource/);
  });

  test('an acknowledgement on the resource removes exactly that finding', () => {
    const { app, stack } = newStack();
    const bucket = new s3.Bucket(stack, 'Plain');
    const before = nagFindings(app).map((f) => f.rule);
    expect(before).toContain('AwsSolutions-S1');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test: only this rule should disappear from the list' });
    const after = nagFindings(app).map((f) => f.rule);
    expect(after).not.toContain('AwsSolutions-S1');
    expect(after.length).toBe(before.length - 1);
  });
});
