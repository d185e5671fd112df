/**
 * The event contracts of schemas/events/, compiled once with ajv (JSON Schema
 * 2020-12), for handler tests and the e2e run: `validateEvent(detailType, detail)`
 * throws when a detail does not match the schema of its detail type.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { DetailType, EVENT_SOURCE } from '../../src/shared/events';

export const EVENT_SCHEMA_DIR = path.join(__dirname, '..', '..', 'schemas', 'events');

/** `Study Received` -> `study-received.v1.schema.json`. */
export function schemaFileOf(detailType: string, schemaVersion = '1'): string {
  return `${detailType.toLowerCase().replace(/ /g, '-')}.v${schemaVersion}.schema.json`;
}

let compiled: Map<string, ValidateFunction> | undefined;

function validators(): Map<string, ValidateFunction> {
  if (compiled !== undefined) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  const files = fs.readdirSync(EVENT_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json'));
  const schemas = files.map((name) => JSON.parse(fs.readFileSync(path.join(EVENT_SCHEMA_DIR, name), 'utf8')) as { $id: string; title: string });
  for (const schema of schemas) ajv.addSchema(schema);
  const byType = new Map<string, ValidateFunction>();
  for (const detailType of Object.values(DetailType)) {
    const schema = schemas.find((s) => s.$id.endsWith(`/${schemaFileOf(detailType)}`));
    if (schema === undefined) throw new Error(`No schema for the '${detailType}' event in ${EVENT_SCHEMA_DIR}`);
    if (schema.title !== detailType) throw new Error(`${schemaFileOf(detailType)} is titled '${schema.title}', not '${detailType}'`);
    byType.set(detailType, ajv.getSchema(schema.$id)!);
  }
  compiled = byType;
  return compiled;
}

/** What is wrong with the detail (empty when it matches the schema of its detail type). */
export function eventSchemaErrors(detailType: string, detail: unknown): string[] {
  const validate = validators().get(detailType);
  if (validate === undefined) return [`unknown detail type '${detailType}'`];
  if (validate(detail)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

export class EventSchemaError extends Error {
  constructor(detailType: string, errors: readonly string[]) {
    super(`'${detailType}' event does not match its schema: ${errors.join('; ')}`);
    this.name = 'EventSchemaError';
  }
}

/** Throws `EventSchemaError` unless the detail matches the schema of its detail type. */
export function validateEvent(detailType: string, detail: unknown): void {
  const errors = eventSchemaErrors(detailType, detail);
  if (errors.length > 0) throw new EventSchemaError(detailType, errors);
}

/** Validates a PutEvents entry as the pipeline sends it (source, detail type, JSON detail). */
export function validateEventEntry(entry: PutEventsRequestEntry): void {
  if (entry.Source !== EVENT_SOURCE) throw new Error(`Event source is '${entry.Source}', not '${EVENT_SOURCE}'`);
  validateEvent(entry.DetailType ?? '', JSON.parse(entry.Detail ?? 'null'));
}
