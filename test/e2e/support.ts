/** Shared helpers of the end-to-end tests (local runner, PHI scan). */
import { createHash } from 'crypto';
import * as path from 'path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { FAKE_CREDENTIALS, HARNESS_USER_AGENT } from '../../scripts/local-runner/engines';
import type { LocalSystem } from '../../scripts/local-runner/local-system';
import { LOCAL_REGION } from '../../scripts/local-runner/template';
import { EVENT_SOURCE } from '../../src/shared/events';
import { eventSchemaErrors } from '../support/event-schemas';

export const REPO_DIR = path.resolve(__dirname, '..', '..');
export const E2E_DIR = path.join(REPO_DIR, '.tmp', 'e2e');

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Everything the pipeline emitted during a run: handler log lines, events it
 * published (input events excluded: S3's and requesters' `Analysis Requested`
 * carry the sender's object keys), SNS messages, and the data of every workflow execution.
 */
export function capturedOutputs(system: LocalSystem): Array<{ where: string; text: string }> {
  return [
    ...system.logs.map((l) => ({ where: `log ${l.logicalId}`, text: l.line })),
    ...system.events.filter((e) => e.event.source === EVENT_SOURCE).map((e) => ({ where: `event ${e.event['detail-type']}`, text: JSON.stringify(e.event) })),
    ...system.notifications.map((n) => ({ where: 'notification', text: `${n.subject ?? ''}\n${n.message}` })),
    ...[...system.workflow.executions.values()].map((e) => ({
      where: `execution ${e.name}`, text: JSON.stringify({ input: e.input, output: e.output, error: e.error, cause: e.cause }),
    })),
  ];
}

/** Every object of the reports bucket (FHIR, HTML, DICOM SR of every revision), as text for the PHI scan. */
export async function reportObjects(system: LocalSystem): Promise<Array<{ where: string; text: string }>> {
  const client = { region: LOCAL_REGION, credentials: FAKE_CREDENTIALS, customUserAgent: HARNESS_USER_AGENT };
  const s3 = new S3Client({ ...client, endpoint: system.engines.endpoints.s3, forcePathStyle: true });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: system.resources.reportsBucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return await Promise.all(keys.map(async (key) => {
      const body = await s3.send(new GetObjectCommand({ Bucket: system.resources.reportsBucket, Key: key }));
      return { where: `report object ${key}`, text: Buffer.from(await body.Body!.transformToByteArray()).toString('latin1') };
    }));
  } finally {
    s3.destroy();
  }
}

/** Where any of `phi` appears (case-insensitive) in `outputs`. */
export function findPhi(outputs: Array<{ where: string; text: string }>, phi: readonly string[]): string[] {
  const needles = phi.map((p) => p.toLowerCase());
  const hits: string[] = [];
  for (const output of outputs) {
    const text = output.text.toLowerCase();
    for (const [i, needle] of needles.entries()) {
      if (text.includes(needle)) hits.push(`${phi[i]} in ${output.where}`);
    }
  }
  return hits;
}

type AslStates = Record<string, { Parameters?: Record<string, unknown>; Branches?: Array<{ States: AslStates }> }>;

/** The constant parameters of an analyzer's "Plan <name>" state in the definition the runner executes. */
export function planOf(system: LocalSystem, analyzer: string): { batchSize: number; selection: { strategy: string } } {
  const find = (states: AslStates): Record<string, unknown> | undefined => {
    for (const [name, state] of Object.entries(states)) {
      if (name === `Plan ${analyzer}`) return state.Parameters;
      for (const branch of state.Branches ?? []) {
        const found = find(branch.States);
        if (found) return found;
      }
    }
    return undefined;
  };
  const plan = find((system.definition as unknown as { States: AslStates }).States);
  if (plan === undefined) throw new Error(`no state 'Plan ${analyzer}' in the definition`);
  return plan as { batchSize: number; selection: { strategy: string } };
}

/** Every event the pipeline published in a run that does not match its JSON Schema (schemas/events/), with why. */
export function eventsBreakingTheirSchema(system: LocalSystem): string[] {
  return system.events
    .filter((e) => e.event.source === EVENT_SOURCE)
    .flatMap((e) => eventSchemaErrors(e.event['detail-type'], e.event.detail).map((error) => `${e.event['detail-type']}: ${error}`));
}
