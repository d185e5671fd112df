/**
 * The runner executes the state machine definition from the synthesized
 * template, not a copy: a workflow prop changed through the example's context
 * changes what runs locally.
 */
import * as fs from 'fs';
import * as path from 'path';
import { E2E_DIR } from './support';
import { pngUpload } from '../../scripts/local-runner/dataset';
import { LocalSystem } from '../../scripts/local-runner/local-system';
import { synthesizeExample } from '../../scripts/local-runner/template';
import { mapTaskStates } from '../../scripts/local-runner/workflow';

async function runOnePng(name: string, context: Record<string, string>) {
  const example = synthesizeExample(path.join(E2E_DIR, name, 'cdk.out'), context);
  const dir = path.join(E2E_DIR, 'runs', name);
  fs.rmSync(dir, { recursive: true, force: true });
  const system = await LocalSystem.start({ example, workDir: dir, sweepIntervalMs: 0 });
  try {
    // 200x150: the example's resolution check reports it with confidence 1 - 150/256 = 0.41.
    const upload = pngUpload(60, 200, 150);
    await system.upload(upload.key, upload.body);
    await system.settle(60_000);
    const [execution] = [...system.workflow.executions.values()];
    // The template's ORIGINAL_HANDLING (DELETE by default) decides whether the accepted original stays in incoming/.
    const originalKept = await system.getObject(system.resources.uploadBucket, upload.key).then(() => true, () => false);
    return {
      originalKept,
      states: execution.statesEntered,
      reviewEvents: system.events.filter((e) => e.event['detail-type'] === 'Review Required').length,
      status: execution.status,
    };
  } finally {
    await system.stop();
  }
}

test('autoReleaseThreshold from the template decides whether the local run waits for review', async () => {
  const byDefault = await runOnePng('threshold-default', {});
  expect(byDefault.status).toBe('SUCCEEDED');
  expect(byDefault.states).toContain('Review required (ROUTINE)');
  expect(byDefault.states).not.toContain('Auto release');
  expect(byDefault.reviewEvents).toBe(1);
  expect(byDefault.originalKept).toBe(false);

  const lowered = await runOnePng('threshold-0.3', { autoReleaseThreshold: '0.3' });
  expect(lowered.status).toBe('SUCCEEDED');
  expect(lowered.states).toContain('Auto release');
  expect(lowered.states.filter((s) => s.startsWith('Review required'))).toEqual([]);
  expect(lowered.reviewEvents).toBe(0);
}, 180_000);

describe('task state mapping', () => {
  const definition = (resource: string) => ({
    StartAt: 'A',
    States: { A: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'B', States: { B: { Type: 'Task', Resource: resource, End: true } } }] } },
  });

  test('maps Lambda ARNs, lambda:invoke and putEvents (with and without a task token), in branches too', () => {
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:F';
    expect(mapTaskStates(definition(fn), (arn) => (arn === fn ? 'F' : undefined))).toEqual([{ stateName: 'B', resource: fn, kind: 'lambda', functionLogicalId: 'F' }]);
    expect(mapTaskStates(definition('arn:aws:states:::lambda:invoke'), () => undefined)[0].kind).toBe('lambda-invoke');
    expect(mapTaskStates(definition('arn:aws:states:::events:putEvents'), () => undefined)[0].kind).toBe('events-put');
    expect(mapTaskStates(definition('arn:aws:states:::events:putEvents.waitForTaskToken'), () => undefined)[0].kind).toBe('events-put-wait');
  });

  test('refuses a Task it has no local mapping for', () => {
    expect(() => mapTaskStates(definition('arn:aws:states:::sqs:sendMessage'), () => undefined)).toThrow(/no local mapping/);
  });
});
