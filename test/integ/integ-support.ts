/** What the integ tests import from the library and the example (one place to change the import), and their helpers. */
import { AssertionsProvider, AwsApiCall, IApiCall } from '@aws-cdk/integ-tests-alpha';
export { MedicalImagingPipeline } from '../../src';
export { STATUS_INDEX_NAME as STATUS_INDEX } from '../../src/shared/records';
export { ExampleStack } from '../../examples/example-stack';

/**
 * The functions that make an SDK call: its provider makes the first call, and after
 * `waitForAssertions` a second function (the waiter's) makes every retry. A grant the
 * call needs beyond the action's own (a KMS key, say) goes to both.
 */
export function callersOf(call: IApiCall): AssertionsProvider[] {
  const waiter = call instanceof AwsApiCall ? call.waiterProvider : undefined;
  return waiter === undefined ? [call.provider] : [call.provider, waiter];
}
